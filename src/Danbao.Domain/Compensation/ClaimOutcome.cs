namespace Danbao.Domain.Compensation;

/// <summary>
/// What a claim transition decided, for the caller to persist in one transaction: the claim's new
/// data (state included), the ledger posting to make (null when none), and the consent or recovery
/// row it added or changed.
/// </summary>
public sealed record ClaimOutcome(CompensationClaim Claim, CompensationClaimState From, ClaimPostingRecipe? Posting)
{
    public CompensationClaimData Data => Claim.Data;

    public CompensationClaimState To => Claim.State;

    public ClaimConsent? Consent { get; init; }

    public ClaimRecovery? Recovery { get; init; }

    /// <summary>The whole base is recovered: nothing is left to pursue (the loan may close).</summary>
    public bool FullyRecovered => Data.State != CompensationClaimState.Filed && Data.RecoveredNet == Data.Base && Data.Base.IsPositive;
}
