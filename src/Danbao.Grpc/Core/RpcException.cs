using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Danbao.Grpc;

/// <summary>
/// A gRPC call ended with a non-OK status. Thrown by handlers to choose the status sent, and by
/// the client when a call fails. <see cref="RichStatus"/> carries the google.rpc.Status sent in
/// <c>grpc-status-details-bin</c> (ErrorInfo, BadRequest...), when there is one.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception with a status code and message.</summary>
    public RpcException(StatusCode statusCode, string statusMessage, Google.Rpc.Status? richStatus = null, Metadata? trailers = null)
        : base($"Status({statusCode}, \"{statusMessage}\")")
    {
        if (statusCode == StatusCode.OK)
        {
            throw new ArgumentException("An RpcException cannot carry status OK.", nameof(statusCode));
        }
        if (richStatus is not null && richStatus.Code != (int)statusCode)
        {
            // The details travel next to grpc-status; a mismatch would confuse every client.
            throw new ArgumentException($"Rich status code {richStatus.Code} differs from {statusCode}.", nameof(richStatus));
        }
        StatusCode = statusCode;
        StatusMessage = statusMessage ?? string.Empty;
        RichStatus = richStatus;
        Trailers = trailers ?? new Metadata();
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message as sent in <c>grpc-message</c> (decoded).</summary>
    public string StatusMessage { get; }

    /// <summary>The google.rpc.Status with details, or null when none was sent.</summary>
    public Google.Rpc.Status? RichStatus { get; }

    /// <summary>
    /// Trailers to send (server side) or received (client side). On the client this also holds
    /// the response headers when the server answered trailers-only.
    /// </summary>
    public Metadata Trailers { get; }

    /// <summary>The first detail of type <typeparamref name="T"/> in <see cref="RichStatus"/>, or null.</summary>
    public T? GetDetail<T>() where T : class, IMessage<T>, new()
    {
        if (RichStatus is null)
        {
            return null;
        }
        foreach (Any any in RichStatus.Details)
        {
            if (any.TryUnpack(out T detail))
            {
                return detail;
            }
        }
        return null;
    }
}
