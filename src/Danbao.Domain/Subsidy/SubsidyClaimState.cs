namespace Danbao.Domain.Subsidy;

/// <summary>A subsidy claim's life: the bank files, the finance bureau reviews and settles.</summary>
public enum SubsidyClaimState
{
    /// <summary>Open for lines (草稿).</summary>
    Draft,

    /// <summary>Filed with the finance bureau; no more lines.</summary>
    Submitted,

    /// <summary>Every line approved or rejected.</summary>
    Reviewed,

    /// <summary>Paid to the bank: approved lines are PAID. Final, except claw-backs and pass-through dates.</summary>
    Settled,
}

/// <summary>What happened to one line.</summary>
public enum SubsidyLineDecision
{
    Pending,
    Approved,
    Rejected,
    Paid,
}

/// <summary>A line filed after its quarter's filing window: the finance bureau accepts or refuses it, line by line.</summary>
public enum LateFiling
{
    /// <summary>Filed within its quarter's filing window.</summary>
    OnTime,
    Pending,
    Accepted,
    Refused,
}

/// <summary>The codes stored in subsidy_claims.state / subsidy_claim_lines.decision, and the legal moves.</summary>
public static class SubsidyClaimStates
{
    public static string ToCode(this SubsidyClaimState state) => state switch
    {
        SubsidyClaimState.Draft => "DRAFT",
        SubsidyClaimState.Submitted => "SUBMITTED",
        SubsidyClaimState.Reviewed => "REVIEWED",
        SubsidyClaimState.Settled => "SETTLED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static SubsidyClaimState FromCode(string code) => code switch
    {
        "DRAFT" => SubsidyClaimState.Draft,
        "SUBMITTED" => SubsidyClaimState.Submitted,
        "REVIEWED" => SubsidyClaimState.Reviewed,
        "SETTLED" => SubsidyClaimState.Settled,
        _ => throw new FormatException($"'{code}' is not a subsidy claim state"),
    };

    public static string ToCode(this SubsidyLineDecision decision) => decision switch
    {
        SubsidyLineDecision.Pending => "PENDING",
        SubsidyLineDecision.Approved => "APPROVED",
        SubsidyLineDecision.Rejected => "REJECTED",
        SubsidyLineDecision.Paid => "PAID",
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    public static SubsidyLineDecision LineDecisionFromCode(string code) => code switch
    {
        "PENDING" => SubsidyLineDecision.Pending,
        "APPROVED" => SubsidyLineDecision.Approved,
        "REJECTED" => SubsidyLineDecision.Rejected,
        "PAID" => SubsidyLineDecision.Paid,
        _ => throw new FormatException($"'{code}' is not a subsidy line decision"),
    };

    /// <summary>Only forward, one step at a time: DRAFT → SUBMITTED → REVIEWED → SETTLED.</summary>
    public static bool IsAllowed(SubsidyClaimState from, SubsidyClaimState to) => to == from + 1 && to <= SubsidyClaimState.Settled;

    /// <summary>The refusal for a move from the wrong state, naming the state the move needs; details carry from/to.</summary>
    public static Refusal Illegal(string claimId, SubsidyClaimState from, SubsidyClaimState to)
    {
        var (code, needed) = to switch
        {
            SubsidyClaimState.Submitted => (SubsidyReasons.ClaimNotDraft, SubsidyClaimState.Draft),
            SubsidyClaimState.Reviewed => (SubsidyReasons.ClaimNotSubmitted, SubsidyClaimState.Submitted),
            _ => (SubsidyReasons.ClaimNotReviewed, SubsidyClaimState.Reviewed),
        };
        return new Refusal(code, $"subsidyClaims/{claimId} is {from.ToCode()}; only a {needed.ToCode()} claim can become {to.ToCode()}")
        {
            Details = new Dictionary<string, string> { ["from"] = from.ToCode(), ["to"] = to.ToCode() },
        };
    }
}
