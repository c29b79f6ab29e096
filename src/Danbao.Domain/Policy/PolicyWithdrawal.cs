namespace Danbao.Domain.Policy;

/// <summary>Why a version stopped counting before it ever governed, or was replaced by a correction.</summary>
public enum PolicyWithdrawalKind
{
    /// <summary>Announced for the future and withdrawn (撤回) before its effective date (§10).</summary>
    Withdrawn,

    /// <summary>Replaced by a corrected version (e.g. a seed row whose dates the source contradicts).</summary>
    Superseded,
}

/// <summary>
/// One row of <c>policy_version_withdrawals</c>: the version it names never governs. A withdrawal is
/// a record beside the version, never an edit of it; decisions that cited the version keep citing it.
/// </summary>
public sealed record PolicyWithdrawal(PolicyWithdrawalKind Kind, string Reason, string? ReplacedById)
{
    /// <summary>The kind codes stored in <c>policy_version_withdrawals.kind</c>.</summary>
    public static string ToCode(PolicyWithdrawalKind kind) => kind switch
    {
        PolicyWithdrawalKind.Withdrawn => "WITHDRAWN",
        PolicyWithdrawalKind.Superseded => "SUPERSEDED",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static PolicyWithdrawalKind FromCode(string code) => code switch
    {
        "WITHDRAWN" => PolicyWithdrawalKind.Withdrawn,
        "SUPERSEDED" => PolicyWithdrawalKind.Superseded,
        _ => throw new FormatException($"'{code}' is not a withdrawal kind"),
    };

    /// <summary>Builds from the row's text columns.</summary>
    public static PolicyWithdrawal FromRow(string kindCode, string reason, string? replacedById) => new(FromCode(kindCode), reason, replacedById);
}
