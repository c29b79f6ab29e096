namespace Danbao.Domain.Subsidy;

/// <summary>Everything a subsidy claim is: what the caller loads and persists (subsidy_claims and its lines).</summary>
public sealed record SubsidyClaimData
{
    public required string Id { get; init; }

    public required string BankId { get; init; }

    public required RegionCode Region { get; init; }

    public required ClaimQuarter Quarter { get; init; }

    public required SubsidyClaimState State { get; init; }

    public required DateOnly FiledDate { get; init; }

    public DateOnly? SettledDate { get; init; }

    /// <summary>The finance bureau that settled it: a claw-back reverses that bureau's expense.</summary>
    public string? SettledBy { get; init; }

    public IReadOnlyList<SubsidyClaimLine> Lines { get; init; } = [];

    public IReadOnlyList<SubsidyClawback> Clawbacks { get; init; } = [];

    public IReadOnlyList<SubsidyPassThrough> PassThroughs { get; init; } = [];
}

/// <summary>What settlement decided: the lines now PAID and the one ledger transaction that pays the bank.</summary>
public sealed record SubsidySettlement(IReadOnlyList<SubsidyClaimLine> PaidLines, LedgerRecipe Posting);
