namespace Danbao.Grpc;

/// <summary>
/// Runs around every call, in registration order, after the request message is decoded
/// (<see cref="ServerCallContext.Request"/> is set for unary and server-streaming calls) and
/// before the handler. Throw an <see cref="RpcException"/> to refuse the call; exceptions from
/// the handler pass through <c>next</c>, so a logging interceptor can catch them and use
/// <see cref="ServerErrors.StatusOf"/> to learn the status that will be sent.
/// </summary>
public interface IServerInterceptor
{
    /// <summary>Does work around <paramref name="next"/> (the rest of the chain and the handler).</summary>
    Task InvokeAsync(ServerCallContext context, Func<Task> next);
}
