using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Danbao.Grpc;

/// <summary>
/// Collects services (protobuf descriptor + handler object) and interceptors, then builds the
/// immutable <see cref="GrpcServer"/>. Building validates every rpc of every service.
/// </summary>
public sealed class GrpcServiceRegistry
{
    /// <summary>Bound on registered services; a registry is configuration, not data.</summary>
    public const int ServiceCountMax = 256;

    private readonly List<(ServiceDescriptor Service, object Handler, string[] Unimplemented)> _services = new();
    private readonly List<IServerInterceptor> _interceptors = new();
    private bool _built;

    /// <summary>The registered services, in order.</summary>
    public IReadOnlyList<ServiceDescriptor> Services => _services.Select(s => s.Service).ToList();

    /// <summary>
    /// Registers <paramref name="handler"/> for every rpc of <paramref name="service"/>. For rpc
    /// <c>Foo(FooRequest) returns (FooReply)</c> the handler needs
    /// <c>public Task&lt;FooReply&gt; Foo(FooRequest request, ServerCallContext context)</c>;
    /// server streaming: <c>public Task Foo(FooRequest request, IServerStreamWriter&lt;FooReply&gt; responses, ServerCallContext context)</c>;
    /// client streaming: <c>public Task&lt;FooReply&gt; Foo(IAsyncStreamReader&lt;FooRequest&gt; requests, ServerCallContext context)</c>;
    /// bidi: <c>public Task Foo(IAsyncStreamReader&lt;FooRequest&gt; requests, IServerStreamWriter&lt;FooReply&gt; responses, ServerCallContext context)</c>.
    /// Rpcs named in <paramref name="unimplementedMethods"/> answer UNIMPLEMENTED instead.
    /// </summary>
    public GrpcServiceRegistry AddService(ServiceDescriptor service, object handler, params string[] unimplementedMethods)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfBuilt();
        if (_services.Count >= ServiceCountMax)
        {
            throw new InvalidOperationException($"At most {ServiceCountMax} services may be registered.");
        }
        _services.Add((service, handler, unimplementedMethods ?? Array.Empty<string>()));
        return this;
    }

    /// <summary>Adds an interceptor; interceptors run in the order added, the first outermost.</summary>
    public GrpcServiceRegistry AddInterceptor(IServerInterceptor interceptor)
    {
        ArgumentNullException.ThrowIfNull(interceptor);
        ThrowIfBuilt();
        _interceptors.Add(interceptor);
        return this;
    }

    /// <summary>
    /// Binds every rpc and returns the server. Throws <see cref="GrpcBindingException"/> listing
    /// all problems when any rpc lacks a correctly typed handler.
    /// </summary>
    public GrpcServer Build(GrpcServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ThrowIfBuilt();
        options ??= new GrpcServerOptions();
        options.Validate();
        var problems = new List<string>();
        var methods = new List<ServerMethod>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((ServiceDescriptor service, object handler, string[] unimplemented) in _services)
        {
            if (!seen.Add(service.FullName))
            {
                problems.Add($"{service.FullName}: registered more than once.");
                continue;
            }
            methods.AddRange(HandlerBinder.Bind(service, handler, unimplemented, problems));
        }
        if (problems.Count > 0)
        {
            throw new GrpcBindingException(problems);
        }
        _built = true;
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GrpcServer>();
        return new GrpcServer(methods, _interceptors.ToArray(), options, logger);
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("The registry was already built; register everything before Build.");
        }
    }
}
