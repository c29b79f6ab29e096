using Danbao.Grpc;
using Google.Rpc;

namespace Danbao.Client;

/// <summary>What a program branches on when a Danbao call fails.</summary>
public static class RpcExceptionExtensions
{
    /// <summary>The ErrorInfo reason (e.g. RATE_ABOVE_CAP, PUBLICITY_NOT_ENDED), or null when none was sent.</summary>
    public static string? Reason(this RpcException exception) => exception.GetDetail<ErrorInfo>()?.Reason;

    /// <summary>The ErrorInfo metadata (e.g. the policy versions behind a refusal).</summary>
    public static IReadOnlyDictionary<string, string> ReasonMetadata(this RpcException exception) =>
        exception.GetDetail<ErrorInfo>()?.Metadata is { } metadata ? new Dictionary<string, string>(metadata) : new Dictionary<string, string>();

    /// <summary>Field → description for every bad field of an INVALID_ARGUMENT.</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(this RpcException exception) =>
        exception.GetDetail<BadRequest>()?.FieldViolations.Select(v => (v.Field, v.Description)).ToList() ?? [];
}
