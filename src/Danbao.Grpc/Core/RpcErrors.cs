using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace Danbao.Grpc;

/// <summary>
/// Builds <see cref="RpcException"/>s with the standard google.rpc error details, so every
/// service reports the same kinds of failure in the same shape.
/// </summary>
public static class RpcErrors
{
    /// <summary>
    /// Domain put in ErrorInfo.domain. Set once at start-up if the service is not danbao.gov.cn.
    /// </summary>
    public static string Domain { get; set; } = "danbao.gov.cn";

    /// <summary>INVALID_ARGUMENT with a BadRequest listing each field violation.</summary>
    public static RpcException InvalidArgument(string message, params (string field, string description)[] violations)
    {
        var badRequest = new BadRequest();
        foreach ((string field, string description) in violations)
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
    public static RpcException ResourceExhausted(string reason, string message, TimeSpan? retryAfter = null)
    {
        var details = new List<IMessage> { ErrorInfo(reason, null) };
        if (retryAfter is { } delay)
        {
            details.Add(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) });
        }
        return Build(StatusCode.ResourceExhausted, message, details.ToArray());
    }

    /// <summary>An exception with <paramref name="code"/>, <paramref name="message"/> and the given detail messages.</summary>
    public static RpcException Build(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (IMessage detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }
        return new RpcException(code, message, status);
    }

    private static ErrorInfo ErrorInfo(string reason, IReadOnlyDictionary<string, string>? metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                info.Metadata[pair.Key] = pair.Value;
            }
        }
        return info;
    }
}
