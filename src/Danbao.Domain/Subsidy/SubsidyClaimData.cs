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

    /// <summary>The lines given here: all of the claim's, or (set-based paths) only those a decision needs.</summary>
    public IReadOnlyList<SubsidyClaimLine> Lines { get; init; } = [];

    /// <summary>Lines the claim holds in all, loaded or not (its stored counter); 0 when <see cref="Lines"/> are all of them.</summary>
    public int LinesFiled { get; init; }

    /// <summary>Late lines still undecided, loaded or not (its stored counter); 0 when <see cref="Lines"/> are all of them.</summary>
    public int LinesLatePending { get; init; }

    /// <summary>
    /// The review approved the lines it did not name (approve_all): kept on the claim, not on each line. A line the rule
    /// covers (<see cref="SubsidyRestDecision.Covers"/>) is APPROVED at its payable amount while its row says PENDING.
    /// </summary>
    public bool RestApproved { get; init; }

    public IReadOnlyList<SubsidyClawback> Clawbacks { get; init; } = [];

    public IReadOnlyList<SubsidyPassThrough> PassThroughs { get; init; } = [];
}

/// <summary>What settlement decided: the lines now PAID and the one ledger transaction that pays the bank.</summary>
public sealed record SubsidySettlement(IReadOnlyList<SubsidyClaimLine> PaidLines, LedgerRecipe Posting);

/// <summary>
/// What a review decided: the named lines, and the rule for every other pending line (on time, not named),
/// which a set-based statement applies to the stored lines and <see cref="SubsidyRestDecision.Decide"/> checks.
/// </summary>
public sealed record SubsidyReview(IReadOnlyList<SubsidyClaimLine> Named, SubsidyRestDecision Rest);

/// <summary>approve_all (approved: what the line's verdict allows) or not (rejected NOT_APPROVED), for lines not named.</summary>
public sealed record SubsidyRestDecision(bool Approve)
{
    public string? Reason => Approve ? null : SubsidyReasons.NotApproved;

    /// <summary>Whether the rule decides <paramref name="line"/>: pending and filed on time (a late line is always named).</summary>
    public static bool Covers(SubsidyClaimLine line) =>
        line is { Decision: SubsidyLineDecision.Pending, Late: LateFiling.OnTime };

    public SubsidyClaimLine Decide(SubsidyClaimLine line) => SubsidyClaim.Decide(line, Approve, Reason);

    /// <summary>
    /// Counts into <paramref name="tally"/> (where a review counts its named lines too) the change to the claim's counters
    /// when the rule decides the lines it covers, given per verdict flag (<paramref name="groups"/>, from
    /// <see cref="Left"/>): what <see cref="Decide"/> does to each line, a group at a time.
    /// </summary>
    public void CountInto(SubsidyClaimSummary.Tally tally, IEnumerable<SubsidyRestGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(tally);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var g in groups)
        {
            // A NOT_PAYABLE line was rejected when filed: the rule never covers one.
            if (g.Flag == ClaimLineFlag.NotPayable && g.Lines != 0)
                throw new InvalidOperationException($"{g.Lines} NOT_PAYABLE lines are pending");
            tally.Decide(g, Approve ? SubsidyLineDecision.Approved : SubsidyLineDecision.Rejected);
        }
    }

    /// <summary>
    /// The lines the rule decides, per verdict flag, without reading them: the claim's counters of pending on-time lines
    /// (<paramref name="stored"/>, kept since filing) moved by what the review did to the lines it named
    /// (<paramref name="named"/>: their summary after less before). A count below zero means the counters drifted
    /// from the lines (`danbao verify` reports it), and nothing is decided on them.
    /// </summary>
    public static IReadOnlyList<SubsidyRestGroup> Left(IEnumerable<SubsidyRestGroup> stored, SubsidyClaimSummary named)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(named);
        var left = stored.Select(g => g.Plus(named.RestByFlag[g.Flag])).ToArray();
        foreach (var g in left)
        {
            if (g.Lines < 0 || g.Payable.IsNegative)
                throw new InvalidOperationException($"the claim's counters of pending on-time {g.Flag} lines are below what its review named ({g.Lines} lines, {g.Payable.Fen} fen left)");
        }
        return left;
    }
}

/// <summary>The pending on-time lines of one verdict flag: how many, and what approval would pay them in all (their payable amounts).</summary>
public readonly record struct SubsidyRestGroup(ClaimLineFlag Flag, int Lines, Money Payable)
{
    public SubsidyRestGroup Plus(SubsidyRestGroup other) => this with { Lines = Lines + other.Lines, Payable = Payable + other.Payable };

    public SubsidyRestGroup Minus(SubsidyRestGroup other) => this with { Lines = Lines - other.Lines, Payable = Payable - other.Payable };
}

/// <summary>
/// Settlement without the lines in memory: every approved line of a positive amount is a statement line
/// (<see cref="LineSubjectType"/>, loan, amount) of <see cref="Posting"/>, whose total is what the claim's approved lines
/// add up to, and is PAID from then on (<see cref="SubsidyClaim.AsDecided"/>: its row is not rewritten); the ledger
/// refuses at commit if the lines written do not add up to it.
/// </summary>
public sealed record SubsidySettlementPlan(LedgerRecipe Posting, string LineSubjectType, SubsidyClaimSummary Change);
