using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Danbao.Server.Errors;

/// <summary>
/// Builds <see cref="RpcException"/>s carrying a google.rpc.Status (Grpc.StatusProto), so every
/// service reports the same kinds of failure in the same shape: ErrorInfo with a stable reason,
/// BadRequest with every field violation, RetryInfo where a retry helps.
/// </summary>
public static class RpcErrors
{
    /// <summary>ErrorInfo.domain of every Danbao error.</summary>
    public const string Domain = "danbao.gov.cn";

    /// <summary>INVALID_ARGUMENT with a BadRequest listing each field violation.</summary>
    public static RpcException InvalidArgument(string message, params (string field, string description)[] violations)
    {
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }
        return Build(StatusCode.InvalidArgument, message, badRequest);
    }

    /// <summary>FAILED_PRECONDITION with an ErrorInfo (machine-readable reason plus metadata).</summary>
    public static RpcException FailedPrecondition(string reason, string message, IReadOnlyDictionary<string, string>? metadata = null) =>
        Build(StatusCode.FailedPrecondition, message, ErrorInfo(reason, metadata));

    /// <summary>NOT_FOUND with a ResourceInfo naming what was looked for.</summary>
    public static RpcException NotFound(string resourceType, string resourceName, string message) =>
        Build(StatusCode.NotFound, message, new ResourceInfo { ResourceType = resourceType, ResourceName = resourceName });

    /// <summary>ALREADY_EXISTS with a ResourceInfo naming the existing resource.</summary>
    public static RpcException AlreadyExists(string resourceType, string resourceName, string message) =>
        Build(StatusCode.AlreadyExists, message, new ResourceInfo { ResourceType = resourceType, ResourceName = resourceName });

    /// <summary>PERMISSION_DENIED with an ErrorInfo.</summary>
    public static RpcException PermissionDenied(string reason, string message, IReadOnlyDictionary<string, string>? metadata = null) =>
        Build(StatusCode.PermissionDenied, message, ErrorInfo(reason, metadata));

    /// <summary>UNAUTHENTICATED with an ErrorInfo.</summary>
    public static RpcException Unauthenticated(string reason, string message) =>
        Build(StatusCode.Unauthenticated, message, ErrorInfo(reason, null));

    /// <summary>ABORTED (e.g. a concurrency conflict; the caller may retry the whole transaction) with an ErrorInfo.</summary>
    public static RpcException Aborted(string reason, string message, IReadOnlyDictionary<string, string>? metadata = null) =>
        Build(StatusCode.Aborted, message, ErrorInfo(reason, metadata));

    /// <summary>RESOURCE_EXHAUSTED with an ErrorInfo and, when known, a RetryInfo delay.</summary>
    public static RpcException ResourceExhausted(string reason, string message, TimeSpan? retryAfter = null) =>
        retryAfter is { } delay
            ? Build(StatusCode.ResourceExhausted, message, ErrorInfo(reason, null), new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) })
            : Build(StatusCode.ResourceExhausted, message, ErrorInfo(reason, null));

    /// <summary>UNAVAILABLE with an ErrorInfo and a RetryInfo delay: a transient condition, never a bug.</summary>
    public static RpcException Unavailable(string reason, string message, TimeSpan retryAfter) =>
        Build(StatusCode.Unavailable, message, ErrorInfo(reason, null), new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) });

    /// <summary>An exception with <paramref name="code"/>, <paramref name="message"/> and the given detail messages.</summary>
    public static RpcException Build(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }
        return status.ToRpcException();
    }

    /// <summary>An ErrorInfo in the Danbao domain.</summary>
    public static ErrorInfo ErrorInfo(string reason, IReadOnlyDictionary<string, string>? metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (metadata is not null)
        {
            foreach (var pair in metadata)
            {
                info.Metadata[pair.Key] = pair.Value;
            }
        }
        return info;
    }
}
