using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Polly;

namespace Danbao.Grpc;

/// <summary>
/// gRPC client over HttpClient (HTTP/2: h2c by prior knowledge for http://, TLS with ALPN h2
/// for https://, optional client certificate). Unary and server-streaming calls by method path
/// ("/pkg.Service/Method") or <see cref="MethodDescriptor"/>; client-streaming and bidi by path. Thread-safe; create one per server
/// and reuse it.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private static readonly ConcurrentDictionary<Type, MessageParser> Parsers = new();

    private readonly GrpcClientOptions _options;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _retry;

    /// <summary>Creates a client; no connection is made until the first call.</summary>
    public GrpcClient(GrpcClientOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _retry = RequestIdRetry.Build(options.Retry);
        HttpMessageHandler handler = options.HttpHandler ?? CreateHandler(options);
        _http = new HttpClient(handler, disposeHandler: options.HttpHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // deadlines are per call, via grpc-timeout
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>Unary call; returns the response or throws <see cref="RpcException"/>.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(string method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new()
    {
        UnaryResult<IMessage> result = await UnaryCoreAsync(method, request, ParserOf<TResponse>(), options).ConfigureAwait(false);
        return (TResponse)result.Response;
    }

    /// <summary>Unary call that also returns response headers and trailers.</summary>
    public async Task<UnaryResult<TResponse>> UnaryWithMetadataAsync<TRequest, TResponse>(string method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new()
    {
        UnaryResult<IMessage> result = await UnaryCoreAsync(method, request, ParserOf<TResponse>(), options).ConfigureAwait(false);
        return new UnaryResult<TResponse>((TResponse)result.Response, result.Headers, result.Trailers);
    }

    /// <summary>Unary call by descriptor; the response type comes from the descriptor.</summary>
    public Task<UnaryResult<IMessage>> UnaryAsync(MethodDescriptor method, IMessage request, CallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.IsClientStreaming || method.IsServerStreaming)
        {
            throw new ArgumentException($"{method.FullName} is not unary.", nameof(method));
        }
        return UnaryCoreAsync(ServerMethod.PathOf(method), request, method.OutputType.Parser, options);
    }

    /// <summary>Typed unary call by descriptor (checks that the types match the descriptor).</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(MethodDescriptor method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.OutputType.ClrType != typeof(TResponse) || method.InputType.ClrType != typeof(TRequest))
        {
            throw new ArgumentException($"{method.FullName} takes {method.InputType.FullName} and returns {method.OutputType.FullName}.", nameof(method));
        }
        UnaryResult<IMessage> result = await UnaryAsync(method, request, options).ConfigureAwait(false);
        return (TResponse)result.Response;
    }

    /// <summary>Starts a server-streaming call; read it with <see cref="ServerStreamingCall{T}.ReadAllAsync"/>.</summary>
    public ServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(string method, TRequest request, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new() =>
        StreamingCore<TResponse>(method, request, ParserOf<TResponse>(), options);

    /// <summary>Starts a server-streaming call by descriptor.</summary>
    public ServerStreamingCall<IMessage> ServerStreaming(MethodDescriptor method, IMessage request, CallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.IsClientStreaming || !method.IsServerStreaming)
        {
            throw new ArgumentException($"{method.FullName} is not server-streaming.", nameof(method));
        }
        return StreamingCore<IMessage>(ServerMethod.PathOf(method), request, method.OutputType.Parser, options);
    }

    /// <summary>Starts a bidi call: write requests and read responses concurrently.</summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(string method, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new()
    {
        options ??= CallOptions.Default;
        DateTime? deadline = options.ResolveDeadline(_options.DefaultTimeout);
        CancellationTokenSource cancellation = LinkedCancellation(options, deadline);
        var writer = new ClientStreamWriter<TRequest>(options.CompressRequest, _options.MaxSendMessageSizeBytes, cancellation.Token);
        var call = new ClientCall(_http, _options, options, deadline, cancellation.Token);
        var responses = new ServerStreamingCall<TResponse>(call, call.StartAsync(method, writer.Content), ParserOf<TResponse>(), cancellation);
        return new DuplexStreamingCall<TRequest, TResponse>(writer, responses);
    }

    /// <summary>Starts a client-streaming call: write requests, complete, await the response.</summary>
    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(string method, CallOptions? options = null)
        where TRequest : class, IMessage
        where TResponse : class, IMessage, new() =>
        new(DuplexStreaming<TRequest, TResponse>(method, options));

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<UnaryResult<IMessage>> UnaryCoreAsync(string method, IMessage request, MessageParser parser, CallOptions? options)
    {
        options ??= CallOptions.Default;
        byte[] body = ClientWire.FrameRequest(request, options.CompressRequest, _options.MaxSendMessageSizeBytes);
        DateTime? deadline = options.ResolveDeadline(_options.DefaultTimeout);
        using CancellationTokenSource cancellation = LinkedCancellation(options, deadline);
        try
        {
            if (!RequestIdRetry.HasRequestId(request))
            {
                return await AttemptAsync(method, body, parser, options, deadline, cancellation.Token).ConfigureAwait(false);
            }
            return await _retry.ExecuteAsync(
                async token => await AttemptAsync(method, body, parser, options, deadline, token).ConfigureAwait(false),
                cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled between attempts (in the retry delay).
            throw options.CancellationToken.IsCancellationRequested
                ? new RpcException(StatusCode.Cancelled, "Call cancelled by the caller.")
                : new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded.");
        }
    }

    private async Task<UnaryResult<IMessage>> AttemptAsync(string method, byte[] body, MessageParser parser,
        CallOptions options, DateTime? deadline, CancellationToken cancellationToken)
    {
        using var call = new ClientCall(_http, _options, options, deadline, cancellationToken);
        if (!await call.StartAsync(method, body).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "Server sent no response message.", null, call.Trailers);
        }
        IMessage? response = await call.ReadAsync(parser).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "Server sent no response message.", null, call.Trailers);
        if (await call.ReadAsync(parser).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "Server sent more than one response message for a unary call.");
        }
        return new UnaryResult<IMessage>(response, call.Headers, call.Trailers);
    }

    private ServerStreamingCall<TResponse> StreamingCore<TResponse>(string method, IMessage request, MessageParser parser, CallOptions? options)
        where TResponse : class, IMessage
    {
        options ??= CallOptions.Default;
        byte[] body = ClientWire.FrameRequest(request, options.CompressRequest, _options.MaxSendMessageSizeBytes);
        DateTime? deadline = options.ResolveDeadline(_options.DefaultTimeout);
        CancellationTokenSource cancellation = LinkedCancellation(options, deadline);
        var call = new ClientCall(_http, _options, options, deadline, cancellation.Token);
        return new ServerStreamingCall<TResponse>(call, call.StartAsync(method, body), parser, cancellation);
    }

    private static CancellationTokenSource LinkedCancellation(CallOptions options, DateTime? deadline)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        if (deadline is { } d)
        {
            TimeSpan remaining = d - DateTime.UtcNow;
            source.CancelAfter(remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining > GrpcTimeout.Max ? GrpcTimeout.Max : remaining);
        }
        return source;
    }

    private static MessageParser ParserOf<T>() where T : class, IMessage, new() =>
        Parsers.GetOrAdd(typeof(T), _ => new T().Descriptor.Parser);

    private static SocketsHttpHandler CreateHandler(GrpcClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            },
        };
        if (options.ClientCertificate is { } clientCertificate)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        }
        if (options.TrustedServerRoots is { } roots)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 server
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && CertificateTrust.ChainsTo(server, roots);
        }
        return handler;
    }
}
