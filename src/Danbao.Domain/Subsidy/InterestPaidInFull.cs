namespace Danbao.Domain.Subsidy;

/// <summary>Interest of [From, To) was paid in full; <see cref="Interest"/> is what the loan charged for it.</summary>
public readonly record struct CompletedInterest(DateRange Period, Money Interest);

/// <summary>
/// Up to which day a loan's interest was paid in full (先付后贴, policy.md §5 "deferral, not forfeit").
/// <para>
/// A repayment moves the loan's paid-to date to its own day even when it pays only part of the
/// interest due (the rest stays as unpaid interest): so "[interest_from, paid_on) is covered" is false
/// for a partial payment. Here the loan's own charges are replayed instead: each repayment row charged
/// the interest on [interest_from, paid_on) rounded once (as <see cref="Loan.RecordRepayment"/> does), and
/// interest is paid in full up to the latest payment day whose cumulative charge the cumulative interest
/// paid covers. A period becomes claimable in the quarter in which that date passes its end.
/// </para>
/// </summary>
public sealed class InterestPaidInFull
{
    private readonly DateOnly _start;
    private readonly (DateOnly PaidOn, Money ChargedTo, Money PaidCumulative)[] _points;

    private InterestPaidInFull(DateOnly start, (DateOnly, Money, Money)[] points)
    {
        _start = start;
        _points = points;
    }

    /// <param name="disbursed">Disbursement day: interest is paid to it before any repayment.</param>
    /// <param name="amount">Principal disbursed.</param>
    /// <param name="contractRate">The loan's contract rate.</param>
    /// <param name="repayments">The loan's repayments (any order; same-day rows keep the order given).</param>
    public static InterestPaidInFull Replay(DateOnly disbursed, Money amount, Rate contractRate, IReadOnlyList<RecordedRepayment> repayments)
    {
        ArgumentNullException.ThrowIfNull(repayments);
        var ordered = InOrder(repayments);
        var timeline = Principal(disbursed, amount, ordered);
        // Interest before the first recorded row is not ours to judge: the replay starts where the rows start.
        var start = ordered.Count > 0 ? ordered[0].InterestFrom : disbursed;
        var points = new (DateOnly, Money, Money)[ordered.Count];
        Money charged = Money.Zero, paid = Money.Zero;
        for (var k = 0; k < ordered.Count; k++)
        {
            var r = ordered[k];
            // The row charged interest on [interest_from, paid_on), rounded once (the loan rounds at each repayment).
            if (r.PaidOn > r.InterestFrom)
                charged += InterestCalculator.AccrueRounded(timeline, contractRate, new DateRange(r.InterestFrom, r.PaidOn));
            paid += r.Interest;
            points[k] = (r.PaidOn, charged, paid);
        }
        return new InterestPaidInFull(start, points);
    }

    /// <summary>The day up to which (exclusive) interest was paid in full, counting repayments paid before <paramref name="before"/>.</summary>
    public (DateOnly PaidTo, Money ChargedTo) AsOf(DateOnly before)
    {
        // The points are in payment order: those paid before the day are a prefix.
        var count = 0;
        while (count < _points.Length && _points[count].PaidOn < before)
            count++;
        if (count == 0)
            return (_start, Money.Zero);
        var paid = _points[count - 1].PaidCumulative;
        // Charges only grow, so the latest payment day whose charge is covered is the paid-in-full date.
        for (var j = count - 1; j >= 0; j--)
        {
            if (_points[j].ChargedTo <= paid)
                return (_points[j].PaidOn, _points[j].ChargedTo);
        }
        return (_start, Money.Zero);
    }

    /// <summary>The loan's outstanding principal from its repayments (one change when none repaid principal, the usual case).</summary>
    internal static PrincipalTimeline Principal(DateOnly disbursed, Money amount, IReadOnlyList<RecordedRepayment> repayments)
    {
        for (var i = 0; i < repayments.Count; i++)
        {
            if (!repayments[i].Principal.IsZero)
                return PrincipalTimeline.FromRepayments(disbursed, amount, repayments.Select(r => (r.PaidOn, r.Principal)));
        }
        return PrincipalTimeline.Disbursed(disbursed, amount);
    }

    /// <summary>By payment day, same-day rows in the order given (a stable sort); the list itself when already in order.</summary>
    private static IReadOnlyList<RecordedRepayment> InOrder(IReadOnlyList<RecordedRepayment> repayments)
    {
        for (var i = 1; i < repayments.Count; i++)
        {
            if (repayments[i].PaidOn < repayments[i - 1].PaidOn)
                return repayments.Select((r, k) => (r, k)).OrderBy(t => t.r.PaidOn).ThenBy(t => t.k).Select(t => t.r).ToArray();
        }
        return repayments;
    }

    /// <summary>
    /// The interest completed during <paramref name="quarter"/>: from the paid-in-full date at its start to the
    /// one at its end; null when no period was completed in it (nothing paid, or paid only in part: deferred).
    /// </summary>
    public CompletedInterest? CompletedIn(ClaimQuarter quarter)
    {
        var (from, chargedFrom) = AsOf(quarter.Start);
        var (to, chargedTo) = AsOf(quarter.End);
        return to > from ? new CompletedInterest(new DateRange(from, to), chargedTo - chargedFrom) : null;
    }
}
