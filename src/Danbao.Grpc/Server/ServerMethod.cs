using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Danbao.Grpc;

/// <summary>One bound rpc: its path, descriptor, handler and per-method metrics.</summary>
internal abstract class ServerMethod
{
    protected ServerMethod(MethodDescriptor descriptor, MethodInfo? handlerMethod)
    {
        Descriptor = descriptor;
        HandlerMethod = handlerMethod;
        Path = PathOf(descriptor);
    }

    public string Path { get; }

    public MethodDescriptor Descriptor { get; }

    public MethodInfo? HandlerMethod { get; }

    public MethodMetrics? Metrics { get; set; }

    /// <summary>Reads the request, runs interceptors and handler, writes the response messages (not the final status).</summary>
    public abstract Task HandleAsync(ServerCallContext context, IServerInterceptor[] interceptors);

    public static string PathOf(MethodDescriptor method) => "/" + method.Service.FullName + "/" + method.Name;

    /// <summary>Runs <paramref name="handler"/> inside the interceptors, first registered outermost.</summary>
    protected static Task RunInterceptedAsync(ServerCallContext context, IServerInterceptor[] interceptors, Func<Task> handler)
    {
        if (interceptors.Length == 0)
        {
            return handler();
        }
        return Next(0);

        Task Next(int index) => index == interceptors.Length
            ? handler()
            : interceptors[index].InvokeAsync(context, () => Next(index + 1));
    }

    /// <summary>Reads exactly one request message (unary and server-streaming calls).</summary>
    protected static async ValueTask<TRequest> ReadSingleAsync<TRequest>(ServerCallContext context, MessageParser parser)
        where TRequest : class, IMessage
    {
        var reader = context.HttpContext.Request.BodyReader;
        (TRequest? request, bool compressed) = await MessageFrames.ReadAsync<TRequest>(reader, parser,
            context.MaxReceiveBytes, context.RequestGzip, context.CancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            throw new RpcException(StatusCode.Internal, "Request message missing.");
        }
        (TRequest? extra, _) = await MessageFrames.ReadAsync<TRequest>(reader, parser,
            context.MaxReceiveBytes, context.RequestGzip, context.CancellationToken).ConfigureAwait(false);
        if (extra is not null)
        {
            throw new RpcException(StatusCode.Internal, "More than one request message for a single-request method.");
        }
        context.RequestCompressed = compressed;
        context.Request = request;
        return request;
    }

    protected static void ThrowIfDeadlineExceeded(ServerCallContext context)
    {
        if (context.DeadlineExceeded)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded.");
        }
    }
}
