namespace Danbao.Grpc;

/// <summary>Maps what a handler threw to the status the client receives.</summary>
public static class ServerErrors
{
    /// <summary>Message sent for unexpected exceptions; details stay in the server log.</summary>
    public const string InternalMessage = "Internal server error.";

    /// <summary>
    /// The status that will be sent for <paramref name="exception"/>: an RpcException's own
    /// status; DEADLINE_EXCEEDED for cancellation by the deadline; CANCELLED when the client
    /// went away; INTERNAL for anything else.
    /// </summary>
    public static StatusCode StatusOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.DeadlineExceeded => StatusCode.DeadlineExceeded,
        OperationCanceledException when context.HttpContext.RequestAborted.IsCancellationRequested => StatusCode.Cancelled,
        _ when context.HttpContext.RequestAborted.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    /// <summary>True when the exception is a server bug rather than an expected outcome (worth logging as an error).</summary>
    public static bool IsUnexpected(Exception exception, ServerCallContext context) =>
        StatusOf(exception, context) == StatusCode.Internal && exception is not RpcException;
}
