namespace Danbao.Domain.Subsidy;

/// <summary>Lines and amounts of one verdict flag (or of the whole claim).</summary>
public readonly record struct SubsidyLineTotals(int Lines, Money Claimed, Money Expected, Money Approved)
{
    public static readonly SubsidyLineTotals None = new(0, Money.Zero, Money.Zero, Money.Zero);

    /// <summary>Expected counts only payable lines: a NOT_PAYABLE line expects nothing.</summary>
    public SubsidyLineTotals Add(SubsidyClaimLine line) => new(Lines + 1, Claimed + line.Claimed.SubsidyClaimed,
        Expected + (line.IsPayable ? line.Verdict.ExpectedSubsidy : Money.Zero),
        Approved + (line.Decision is SubsidyLineDecision.Approved or SubsidyLineDecision.Paid ? line.Approved : Money.Zero));

    public SubsidyLineTotals Plus(SubsidyLineTotals other) => new(Lines + other.Lines, Claimed + other.Claimed, Expected + other.Expected, Approved + other.Approved);

    public SubsidyLineTotals Minus(SubsidyLineTotals other) => new(Lines - other.Lines, Claimed - other.Claimed, Expected - other.Expected, Approved - other.Approved);
}

/// <summary>
/// A claim's summary, computed once from its lines (the counters of subsidy_claims): totals, per verdict
/// flag, per decision, late lines, what was paid, clawed back and credited to borrowers, and per verdict flag the lines a
/// review's rule for the rest would decide (<see cref="RestByFlag"/>).
/// </summary>
public sealed record SubsidyClaimSummary(
    SubsidyLineTotals All,
    IReadOnlyDictionary<ClaimLineFlag, SubsidyLineTotals> ByFlag,
    IReadOnlyDictionary<SubsidyLineDecision, int> LinesByDecision,
    int LinesLate,
    int LinesLatePending,
    Money Paid,
    Money ClawedBack,
    Money PassedThrough,
    IReadOnlyDictionary<ClaimLineFlag, SubsidyRestGroup> RestByFlag)
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
        ArgumentNullException.ThrowIfNull(clawbacks);
        ArgumentNullException.ThrowIfNull(passThroughs);
        var tally = new Tally();
        foreach (var line in lines)
            tally.Add(line);
        return tally.Build(Money.Sum(clawbacks.Select(c => c.Amount)), Money.Sum(passThroughs.Select(p => p.Amount)));
    }

    /// <summary>
    /// What changed between two summaries (this − <paramref name="before"/>): the counters to add when a
    /// set-based statement changed some lines (the summary of those lines after, less before).
    /// </summary>
    public SubsidyClaimSummary Minus(SubsidyClaimSummary before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return new SubsidyClaimSummary(All.Minus(before.All),
            ByFlag.ToDictionary(kv => kv.Key, kv => kv.Value.Minus(before.ByFlag[kv.Key])),
            LinesByDecision.ToDictionary(kv => kv.Key, kv => kv.Value - before.LinesByDecision[kv.Key]),
            LinesLate - before.LinesLate, LinesLatePending - before.LinesLatePending,
            Paid - before.Paid, ClawedBack - before.ClawedBack, PassedThrough - before.PassedThrough,
            RestByFlag.ToDictionary(kv => kv.Key, kv => kv.Value.Minus(before.RestByFlag[kv.Key])));
    }

    /// <summary>
    /// The one computation of the counters, a line at a time: lines read from a stream (millions) are
    /// counted without being held.
    /// </summary>
    public sealed class Tally
    {
        private readonly Dictionary<ClaimLineFlag, SubsidyLineTotals> _byFlag = Enum.GetValues<ClaimLineFlag>().ToDictionary(f => f, _ => SubsidyLineTotals.None);
        private readonly Dictionary<SubsidyLineDecision, int> _byDecision = Enum.GetValues<SubsidyLineDecision>().ToDictionary(d => d, _ => 0);
        private readonly Dictionary<ClaimLineFlag, SubsidyRestGroup> _rest = Enum.GetValues<ClaimLineFlag>().ToDictionary(f => f, f => new SubsidyRestGroup(f, 0, Money.Zero));
        private SubsidyLineTotals _all = SubsidyLineTotals.None;
        private int _late;
        private int _latePending;
        private Money _paid = Money.Zero;

        public int Lines => _all.Lines;

        public void Add(SubsidyClaimLine line)
        {
            ArgumentNullException.ThrowIfNull(line);
            _all = _all.Add(line);
            _byFlag[line.Verdict.Flag] = _byFlag[line.Verdict.Flag].Add(line);
            _byDecision[line.Decision]++;
            _late += line.Late == LateFiling.OnTime ? 0 : 1;
            _latePending += line.Late == LateFiling.Pending && line.Decision == SubsidyLineDecision.Pending ? 1 : 0;
            _paid += line.Decision == SubsidyLineDecision.Paid ? line.Approved : Money.Zero;
            if (SubsidyRestDecision.Covers(line))
                _rest[line.Verdict.Flag] = _rest[line.Verdict.Flag].Plus(new SubsidyRestGroup(line.Verdict.Flag, 1, line.PayableAmount));
        }

        /// <summary>
        /// The pending on-time lines of <paramref name="group"/> become <paramref name="to"/> (approved: at their payable
        /// total): counted as <see cref="Add"/> counts them, after less before, so they leave <see cref="RestByFlag"/>.
        /// </summary>
        public void Decide(SubsidyRestGroup group, SubsidyLineDecision to)
        {
            var counted = to is SubsidyLineDecision.Approved or SubsidyLineDecision.Paid ? group.Payable : Money.Zero;
            var change = new SubsidyLineTotals(0, Money.Zero, Money.Zero, counted);
            _all = _all.Plus(change);
            _byFlag[group.Flag] = _byFlag[group.Flag].Plus(change);
            _byDecision[SubsidyLineDecision.Pending] -= group.Lines;
            _byDecision[to] += group.Lines;
            _paid += to == SubsidyLineDecision.Paid ? counted : Money.Zero;
            _rest[group.Flag] = _rest[group.Flag].Minus(group);
        }

        public SubsidyClaimSummary Build(Money clawedBack, Money passedThrough) =>
            new(_all, new Dictionary<ClaimLineFlag, SubsidyLineTotals>(_byFlag), new Dictionary<SubsidyLineDecision, int>(_byDecision),
                _late, _latePending, _paid, clawedBack, passedThrough, new Dictionary<ClaimLineFlag, SubsidyRestGroup>(_rest));

        public SubsidyClaimSummary Build() => Build(Money.Zero, Money.Zero);
    }
}
