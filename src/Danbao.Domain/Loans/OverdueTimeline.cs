namespace Danbao.Domain.Loans;

/// <summary>
/// Overdue days derived from dates, never from a batch (policy.md §5): a loan is overdue on day D
/// when an amount that fell due before D is still unpaid once D's repayments are counted. It stays
/// overdue up to, not including, the day its arrears are paid in full (interest due 06-20 unpaid,
/// arrears paid 07-03 → overdue 06-21 … 07-02, 12 days).
/// Principal due is the plan's (<see cref="LoanPlan"/>); interest due by a due date is the normal
/// interest accrued to it on the actual principal, rounded at each repayment exactly as
/// <see cref="Loan.RecordRepayment"/> rounds it, so a borrower who paid what the loan asked is never short.
/// </summary>
public sealed class OverdueTimeline
{
    /// <summary>Bounds the repayments one loan can carry (a daily payer over 10 years stays below it).</summary>
    public const int RepaymentsMax = 5_000;

    private readonly LoanData _loan;
    private readonly IReadOnlyList<ScheduledPayment> _plan;
    private readonly RecordedRepayment[] _repayments;
    // The last plan date whose interest due was asked, and where the accrual stood there (repayments up to it
    // counted): dates are asked in ascending order (a sweep, the arrears), so the next one starts from it. A cursor,
    // not an array per plan date: a claim builds a timeline for each of a million lines.
    private int _lastAsked = -1;
    private Money _lastDue;
    private Accrual _accrualAtLast;

    private OverdueTimeline(LoanData loan, RecordedRepayment[] repayments)
    {
        _loan = loan;
        _plan = LoanPlan.Of(loan);
        _repayments = repayments;
    }

    /// <summary>The timeline of <paramref name="loan"/> given all its recorded repayments (any order).</summary>
    public static OverdueTimeline For(LoanData loan, IEnumerable<RecordedRepayment> repayments)
    {
        ArgumentNullException.ThrowIfNull(loan);
        ArgumentNullException.ThrowIfNull(repayments);
        // One pass (a claim builds a timeline per line): rows already in payment order, the usual case, are not sorted.
        var ordered = repayments.ToArray();
        var sorted = true;
        var principal = Money.Zero;
        for (var i = 0; i < ordered.Length; i++)
        {
            sorted &= i == 0 || ordered[i].PaidOn >= ordered[i - 1].PaidOn;
            if (ordered[i].Interest.IsNegative || ordered[i].Principal.IsNegative)
                throw new ArgumentException("repaid interest and principal cannot be negative", nameof(repayments));
            principal += ordered[i].Principal;
        }
        if (!sorted)
            ordered = ordered.OrderBy(r => r.PaidOn).ToArray(); // stable: same-day rows keep their order
        if (ordered.Length > RepaymentsMax)
            throw new ArgumentOutOfRangeException(nameof(repayments), ordered.Length, $"at most {RepaymentsMax} repayments per loan");
        if (loan.DisbursementDate is { } disbursed && ordered.Length > 0 && ordered[0].PaidOn < disbursed)
            throw new ArgumentException($"repayment on {ordered[0].PaidOn} is before disbursement on {disbursed}", nameof(repayments));
        if (principal > loan.Amount)
            throw new ArgumentException("repayments return more principal than was lent", nameof(repayments));
        return new OverdueTimeline(loan, ordered);
    }

    public IReadOnlyList<ScheduledPayment> Plan => _plan;

    /// <summary>The status at the end of <paramref name="businessDate"/>, with the start of its overdue run.</summary>
    public OverdueStatus On(DateOnly businessDate)
    {
        var (principal, interest, firstMissed) = ArrearsOn(businessDate);
        if (principal.IsZero && interest.IsZero)
            return new OverdueStatus(businessDate, null, null, principal, interest);
        var run = Ranges(new DateRange(_loan.DisbursementDate!.Value, businessDate.AddDays(1)));
        return new OverdueStatus(businessDate, run[^1].Start, firstMissed, principal, interest);
    }

    /// <summary>The overdue days within <paramref name="period"/>, as maximal ranges [first overdue day, cured on).</summary>
    public IReadOnlyList<DateRange> Ranges(DateRange period)
    {
        var ranges = new List<DateRange>();
        if (_plan.Count == 0 || period.IsEmpty)
            return ranges;
        // The status changes only the day after a due date or on a repayment day; the days are visited in order, so
        // one sweep carries the amounts due and paid forward (a loan with hundreds of repayments is judged on every write).
        var changes = ChangeDays(period);
        var sweep = new Sweep(this);
        DateOnly? runStart = sweep.IsOverdue(period.Start) ? period.Start : null;
        foreach (var day in changes)
        {
            var overdue = day < period.End && sweep.IsOverdue(day);
            if (runStart is { } start && !overdue)
            {
                ranges.Add(new DateRange(start, day));
                runStart = null;
            }
            else if (runStart is null && overdue)
            {
                runStart = day;
            }
        }
        return ranges;
    }

    /// <summary>The days inside <paramref name="period"/> after a due date or with a repayment, in order, then its end.</summary>
    private List<DateOnly> ChangeDays(DateRange period)
    {
        var days = new List<DateOnly>();
        foreach (var p in _plan)
        {
            var day = p.DueDate.AddDays(1);
            if (day > period.Start && day < period.End)
                days.Add(day);
        }
        foreach (var r in _repayments)
        {
            if (r.PaidOn > period.Start && r.PaidOn < period.End)
                days.Add(r.PaidOn);
        }
        days.Sort();
        var distinct = 0;
        for (var i = 0; i < days.Count; i++)
        {
            if (distinct == 0 || days[distinct - 1] != days[i])
                days[distinct++] = days[i];
        }
        days.RemoveRange(distinct, days.Count - distinct);
        days.Add(period.End);
        return days;
    }

    /// <summary>
    /// What fell due before a day (principal by the plan, interest accrued) against what was paid up to and on it, for
    /// days asked in ascending order: each asks only for the due dates and repayments since the day before.
    /// </summary>
    private struct Sweep(OverdueTimeline timeline)
    {
        private int _nextRepayment;

        /// <summary>The last plan date before the day asked (-1: none yet).</summary>
        public int LastDue { get; private set; } = -1;

        public Money PrincipalPaid { get; private set; } = Money.Zero;

        public Money InterestPaid { get; private set; } = Money.Zero;

        public void Advance(DateOnly day)
        {
            var plan = timeline._plan;
            while (LastDue + 1 < plan.Count && plan[LastDue + 1].DueDate < day)
                LastDue++;
            var repayments = timeline._repayments;
            for (; _nextRepayment < repayments.Length && repayments[_nextRepayment].PaidOn <= day; _nextRepayment++)
            {
                PrincipalPaid += repayments[_nextRepayment].Principal;
                InterestPaid += repayments[_nextRepayment].Interest;
            }
        }

        /// <summary>Whether plan date <paramref name="i"/>'s principal or interest is not yet paid in full.</summary>
        public readonly bool Short(int i) =>
            timeline._loan.Amount - timeline._plan[i].PrincipalAfter > PrincipalPaid || timeline.InterestDueBy(i) > InterestPaid;

        public bool IsOverdue(DateOnly day)
        {
            Advance(day);
            return LastDue >= 0 && Short(LastDue);
        }
    }

    private (Money Principal, Money Interest, DateOnly? FirstMissed) ArrearsOn(DateOnly day)
    {
        var sweep = new Sweep(this);
        sweep.Advance(day);
        var last = sweep.LastDue;
        if (last < 0)
            return (Money.Zero, Money.Zero, null);
        var (principalPaid, interestPaid) = (sweep.PrincipalPaid, sweep.InterestPaid);
        DateOnly? firstMissed = null;
        for (var i = 0; i <= last && firstMissed is null; i++)
        {
            if (sweep.Short(i))
                firstMissed = _plan[i].DueDate;
        }
        var principalDue = _loan.Amount - _plan[last].PrincipalAfter;
        return (Money.Max(Money.Zero, principalDue - principalPaid), Money.Max(Money.Zero, InterestDueBy(last) - interestPaid), firstMissed);
    }

    private Money InterestDueBy(int i)
    {
        if (i != _lastAsked)
        {
            _lastDue = AccruedBy(i);
            _lastAsked = i;
        }
        return _lastDue;
    }

    /// <summary>
    /// Normal interest accrued up to (excluding) plan date <paramref name="i"/>, rounded at each repayment before it.
    /// It starts from the last plan date asked when that is earlier, so asking every date in turn reads each repayment
    /// once (a loan with hundreds of repayments is judged on every write); an earlier date starts again from the
    /// disbursement.
    /// </summary>
    private Money AccruedBy(int i)
    {
        var (k, at) = _lastAsked >= 0 && _lastAsked < i
            ? (_lastAsked, _accrualAtLast)
            : (-1, new Accrual(0, _loan.DisbursementDate!.Value, _loan.Amount, Money.Zero));
        for (var j = k + 1; j <= i; j++)
        {
            var until = _plan[j].DueDate;
            while (at.NextRepayment < _repayments.Length && _repayments[at.NextRepayment].PaidOn <= until)
            {
                var r = _repayments[at.NextRepayment];
                at = new Accrual(at.NextRepayment + 1, r.PaidOn, at.Principal - r.Principal,
                    at.Accrued + InterestCalculator.AccrueRounded(at.Principal, _loan.ContractRate, new DateRange(at.From, r.PaidOn)));
            }
        }
        _accrualAtLast = at;
        return at.Accrued + InterestCalculator.AccrueRounded(at.Principal, _loan.ContractRate, new DateRange(at.From, _plan[i].DueDate));
    }

    /// <summary>The accrual after the repayments before <see cref="NextRepayment"/>: interest rounded at each, from the last.</summary>
    private readonly record struct Accrual(int NextRepayment, DateOnly From, Money Principal, Money Accrued);
}
