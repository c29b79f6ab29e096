namespace Danbao.Domain.Subsidy;

/// <summary>Lines and amounts of one verdict flag (or of the whole claim).</summary>
public readonly record struct SubsidyLineTotals(int Lines, Money Claimed, Money Expected, Money Approved)
{
    public static readonly SubsidyLineTotals None = new(0, Money.Zero, Money.Zero, Money.Zero);

    /// <summary>Expected counts only payable lines: a NOT_PAYABLE line expects nothing.</summary>
    public SubsidyLineTotals Add(SubsidyClaimLine line) => new(Lines + 1, Claimed + line.Claimed.SubsidyClaimed,
        Expected + (line.IsPayable ? line.Verdict.ExpectedSubsidy : Money.Zero),
        Approved + (line.Decision is SubsidyLineDecision.Approved or SubsidyLineDecision.Paid ? line.Approved : Money.Zero));
}

/// <summary>
/// A claim's summary, computed once from its lines (the counters of subsidy_claims): totals, per verdict
/// flag, per decision, late lines, and what was paid, clawed back and credited to borrowers.
/// </summary>
public sealed record SubsidyClaimSummary(
    SubsidyLineTotals All,
    IReadOnlyDictionary<ClaimLineFlag, SubsidyLineTotals> ByFlag,
    IReadOnlyDictionary<SubsidyLineDecision, int> LinesByDecision,
    int LinesLate,
    int LinesLatePending,
    Money Paid,
    Money ClawedBack,
    Money PassedThrough)
{
    public int LinesMatching => ByFlag[ClaimLineFlag.Matches].Lines;

    public int LinesDiffering => ByFlag[ClaimLineFlag.Differs].Lines;

    public int LinesIneligibleDays => ByFlag[ClaimLineFlag.IneligibleDays].Lines;

    public int LinesNotPayable => ByFlag[ClaimLineFlag.NotPayable].Lines;

    /// <summary>Approved or paid lines.</summary>
    public int LinesApproved => LinesByDecision[SubsidyLineDecision.Approved] + LinesByDecision[SubsidyLineDecision.Paid];

    public int LinesRejected => LinesByDecision[SubsidyLineDecision.Rejected];

    /// <summary>Paid less clawed back: what the bank keeps for its borrowers.</summary>
    public Money NetPaid => Paid - ClawedBack;

    public static SubsidyClaimSummary Of(IEnumerable<SubsidyClaimLine> lines, IEnumerable<SubsidyClawback> clawbacks, IEnumerable<SubsidyPassThrough> passThroughs)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var all = SubsidyLineTotals.None;
        var byFlag = Enum.GetValues<ClaimLineFlag>().ToDictionary(f => f, _ => SubsidyLineTotals.None);
        var byDecision = Enum.GetValues<SubsidyLineDecision>().ToDictionary(d => d, _ => 0);
        int late = 0, latePending = 0;
        var paid = Money.Zero;
        foreach (var line in lines)
        {
            all = all.Add(line);
            byFlag[line.Verdict.Flag] = byFlag[line.Verdict.Flag].Add(line);
            byDecision[line.Decision]++;
            late += line.Late == LateFiling.OnTime ? 0 : 1;
            latePending += line.Late == LateFiling.Pending && line.Decision == SubsidyLineDecision.Pending ? 1 : 0;
            paid += line.Decision == SubsidyLineDecision.Paid ? line.Approved : Money.Zero;
        }
        return new SubsidyClaimSummary(all, byFlag, byDecision, late, latePending, paid,
            Money.Sum(clawbacks.Select(c => c.Amount)), Money.Sum(passThroughs.Select(p => p.Amount)));
    }
}
