using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Danbao.Server.Interceptors;

/// <summary>
/// A server interceptor that wraps every kind of call (unary and the three streaming kinds) in one
/// <see cref="AroundAsync"/>: authentication, error mapping, logging and metrics do not care which.
/// </summary>
public abstract class CallInterceptor : Interceptor
{
    /// <summary>Runs <paramref name="call"/> (the rest of the pipeline and the handler) inside this interceptor.</summary>
    protected abstract Task AroundAsync(ServerCallContext context, Func<Task> call);

    public sealed override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response = default!;
        await AroundAsync(context, async () => response = await continuation(request, context));
        return response;
    }

    public sealed override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response = default!;
        await AroundAsync(context, async () => response = await continuation(requestStream, context));
        return response;
    }

    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        AroundAsync(context, () => continuation(request, responseStream, context));

    public sealed override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        AroundAsync(context, () => continuation(requestStream, responseStream, context));
}
