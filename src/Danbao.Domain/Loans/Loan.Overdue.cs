namespace Danbao.Domain.Loans;

public sealed partial class Loan
{
    // ---- Overdue as a fact of the plan and the repayments (policy.md §5) ----

    /// <summary>
    /// Whether the loan is overdue at the end of <paramref name="businessDate"/>, since when, for how
    /// many days, and its arrears, from the plan and <paramref name="repayments"/> (all recorded
    /// repayments of this loan, as in loan_repayments). Independent of the stored state and of any batch.
    /// </summary>
    public OverdueStatus OverdueAsOf(DateOnly businessDate, IEnumerable<RecordedRepayment> repayments)
    {
        if (_data.DisbursementDate is null)
            return new OverdueStatus(businessDate, null, null, Money.Zero, Money.Zero);
        return OverdueTimeline.For(_data, repayments).On(businessDate);
    }

    /// <summary>The overdue days within <paramref name="period"/>: [first overdue day, day the arrears were paid).</summary>
    public IReadOnlyList<DateRange> OverdueRanges(DateRange period, IEnumerable<RecordedRepayment> repayments) =>
        _data.DisbursementDate is null ? [] : OverdueTimeline.For(_data, repayments).Ranges(period);

    /// <summary>
    /// Days in <paramref name="period"/> that earn no subsidy, from dates: the overdue ranges derived
    /// from the repayments, and the extension period. Use this rather than the batch-cached overload.
    /// </summary>
    public IReadOnlyList<SubsidyExclusion> SubsidyExclusions(DateRange period, IEnumerable<RecordedRepayment> repayments)
    {
        var spans = OverdueRanges(period, repayments).Select(r => new SubsidyExclusion(r, SubsidyExclusionReason.Overdue)).ToList();
        if (ExtensionRange() is { } extension && extension.Intersect(period) is not null)
            spans.Add(new SubsidyExclusion(extension, SubsidyExclusionReason.Extension));
        return spans;
    }

    /// <summary>
    /// Brings the stored state (a cache of the derived facts) in line with them on
    /// <paramref name="businessDate"/>: CURRENT/EXTENDED → OVERDUE from the derived first overdue day,
    /// OVERDUE → CURRENT/EXTENDED cured on the day the arrears were paid (not the day this runs), and
    /// the stored overdue history rewritten from the dates. Other states are left as they are.
    /// </summary>
    public OverdueSync SyncOverdue(DateOnly businessDate, IEnumerable<RecordedRepayment> repayments)
    {
        var before = _data.State;
        if (_data.DisbursementDate is not { } disbursed)
            return new OverdueSync(new OverdueStatus(businessDate, null, null, Money.Zero, Money.Zero), before, before);
        var timeline = OverdueTimeline.For(_data, repayments);
        var status = timeline.On(businessDate);
        if (_data.State is not (LoanState.Current or LoanState.Extended or LoanState.Overdue))
            return new OverdueSync(status, before, before);
        var closed = timeline.Ranges(new DateRange(disbursed, businessDate.AddDays(1)))
            .Where(r => r.End <= businessDate || !status.IsOverdue).ToArray();
        var calm = _data.Extensions > 0 ? LoanState.Extended : LoanState.Current;
        _data = _data with
        {
            State = status.IsOverdue ? LoanState.Overdue : calm,
            OverdueSinceDate = status.OverdueSince,
            OverdueHistory = closed,
        };
        return new OverdueSync(status, before, _data.State);
    }

    /// <summary>Overdue days on <paramref name="on"/> from dates (0 when not overdue).</summary>
    public int OverdueDaysOn(DateOnly on, IEnumerable<RecordedRepayment> repayments) => OverdueAsOf(on, repayments).OverdueDays;

    /// <summary>
    /// Compensation claim (代偿申请) filed on <paramref name="claimDate"/>, judged on overdue days from
    /// dates: the stored state is first brought in line (<see cref="SyncOverdue"/>), so a loan no batch
    /// has marked can be claimed, and a loan whose arrears were paid cannot.
    /// </summary>
    public Result<Unit> FileClaim(DateOnly claimDate, PolicySnapshot policyOnClaimDate, IEnumerable<RecordedRepayment> repayments)
    {
        ArgumentNullException.ThrowIfNull(policyOnClaimDate);
        var copy = Rehydrate(_data);
        var sync = copy.SyncOverdue(claimDate, repayments);
        if (copy.State != LoanState.Overdue)
            return LoanTransitions.Illegal(copy.State, LoanState.Claimed);
        var eligible = ClaimEligibility.Check(sync.Status.OverdueDays, policyOnClaimDate);
        if (!eligible.IsOk)
            return eligible.Refusal;
        _data = copy._data;
        return Move(LoanState.Claimed, d => WithVersions(d with { ClaimDate = claimDate }, policyOnClaimDate.Used));
    }

    private DateRange? ExtensionRange() =>
        _data.ExtendedFromDate is { } from && _data.MaturityDate is { } maturity && from < maturity ? new DateRange(from, maturity) : null;
}
