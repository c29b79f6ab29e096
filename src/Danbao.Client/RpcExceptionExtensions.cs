using Google.Rpc;
using Grpc.Core;

namespace Danbao.Client;

/// <summary>What a program branches on when a Danbao call fails (the google.rpc details of the status).</summary>
public static class RpcExceptionExtensions
{
    /// <summary>The ErrorInfo reason (e.g. RATE_ABOVE_CAP, PUBLICITY_NOT_ENDED), or null when none was sent.</summary>
    public static string? Reason(this RpcException exception) => exception.Detail<ErrorInfo>()?.Reason;

    /// <summary>The ErrorInfo metadata (e.g. the policy versions behind a refusal).</summary>
    public static IReadOnlyDictionary<string, string> ReasonMetadata(this RpcException exception) =>
        exception.Detail<ErrorInfo>()?.Metadata is { } metadata ? new Dictionary<string, string>(metadata) : new Dictionary<string, string>();

    /// <summary>Field → description for every bad field of an INVALID_ARGUMENT.</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(this RpcException exception) =>
        exception.Detail<BadRequest>()?.FieldViolations.Select(v => (v.Field, v.Description)).ToList() ?? [];

    /// <summary>How long the server asks you to wait before retrying (RetryInfo), or null.</summary>
    public static TimeSpan? RetryDelay(this RpcException exception) => exception.Detail<RetryInfo>()?.RetryDelay?.ToTimeSpan();

    /// <summary>A detail message of the status (ErrorInfo, BadRequest, RetryInfo, ResourceInfo …), or null.</summary>
    public static T? Detail<T>(this RpcException exception) where T : class, Google.Protobuf.IMessage<T>, new() =>
        exception.GetRpcStatus()?.GetDetail<T>();

    /// <summary>The status code as the gRPC specification names it: OK, INVALID_ARGUMENT, FAILED_PRECONDITION, …</summary>
    public static string StatusName(this RpcException exception) => Contracts.StatusNames.Of(exception.StatusCode);
}
