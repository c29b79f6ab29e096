using Danbao.Domain.Results;
using Google.Rpc;
using Grpc.Core;

namespace Danbao.Server.Errors;

/// <summary>Turns a domain refusal into FAILED_PRECONDITION with an ErrorInfo a program can branch on.</summary>
public static class RefusalStatus
{
    public static RpcException ToRpc(this Refusal refusal) =>
        RpcErrors.Build(StatusCode.FailedPrecondition, refusal.Message, ErrorInfoOf(refusal));

    /// <summary>The refusal's reason, with the policy versions that decided it as metadata.</summary>
    public static ErrorInfo ErrorInfoOf(Refusal refusal)
    {
        var metadata = new Dictionary<string, string>();
        foreach (var version in refusal.Versions)
        {
            // e.g. "policy.individual_cap" = "CN@2023-10-01=300000.00": which version said no.
            metadata[$"policy.{version.Key}"] = $"{version.Region}@{version.EffectiveFrom:yyyy-MM-dd}={version.Value.Text}";
        }
        return RpcErrors.ErrorInfo(refusal.Code, metadata);
    }
}
