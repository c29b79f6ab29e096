namespace Danbao.Domain.Loans;

/// <summary>
/// The repayment plan a loan is held to, extensions included. An extension (展期) moves what falls
/// due at the old maturity to the new one, with interest settling quarterly in between; every
/// instalment due before the old maturity stays where it was, so arrears stay due (policy.md §3).
/// </summary>
public static class LoanPlan
{
    /// <summary>The plan of a disbursed loan; empty before disbursement.</summary>
    public static IReadOnlyList<ScheduledPayment> Of(LoanData loan)
    {
        ArgumentNullException.ThrowIfNull(loan);
        if (loan.DisbursementDate is not { } disbursed)
            return [];
        // The plan is a function of these terms alone (see Build): loans with the same terms share one, read-only.
        var key = new PlanKey(loan.RepaymentMethod, loan.Amount, loan.ContractRate, disbursed, loan.TermMonths,
            loan.ExtendedFromDate, loan.ExtendedFromDate is null ? null : loan.MaturityDate);
        if (Plans.TryGetValue(key, out var known))
            return known;
        var plan = Build(loan, disbursed).ToArray().AsReadOnly();
        if (Plans.Count >= PlansKeptMax)
            Plans.Clear(); // bounded whatever the loan book: the plans of the loans being judged now are kept
        Plans[key] = plan;
        return plan;
    }

    /// <summary>Plans kept (a few hundred bytes each): enough for a claim's batch of distinct terms.</summary>
    public const int PlansKeptMax = 20_000;

    private readonly record struct PlanKey(RepaymentMethod Method, Money Amount, Rate Rate, DateOnly Disbursed, int TermMonths,
        DateOnly? ExtendedFrom, DateOnly? Maturity);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<PlanKey, IReadOnlyList<ScheduledPayment>> Plans = new();

    private static IReadOnlyList<ScheduledPayment> Build(LoanData loan, DateOnly disbursed)
    {
        var original = RepaymentSchedule.Build(loan.RepaymentMethod, loan.Amount, loan.ContractRate, disbursed, loan.TermMonths);
        if (loan.ExtendedFromDate is not { } oldMaturity || loan.MaturityDate is not { } maturity || maturity <= oldMaturity)
            return original;
        var kept = original.Where(p => p.DueDate < oldMaturity).ToList();
        var deferred = original.Where(p => p.DueDate >= oldMaturity).Aggregate(Money.Zero, (sum, p) => sum + p.Principal);
        var outstanding = kept.Count > 0 ? kept[^1].PrincipalAfter : loan.Amount;
        var start = kept.Count > 0 ? kept[^1].DueDate : disbursed;
        var dates = InterestDates.Between(start, maturity).Append(maturity).ToArray();
        if (kept.Count + dates.Length > RepaymentSchedule.PaymentsMax)
            throw new ArgumentOutOfRangeException(nameof(loan), "extended schedule too long");
        for (var i = 0; i < dates.Length; i++)
        {
            var period = new DateRange(start, dates[i]);
            var principal = i == dates.Length - 1 ? deferred : Money.Zero;
            var interest = InterestCalculator.AccrueRounded(outstanding, loan.ContractRate, period);
            kept.Add(new ScheduledPayment(dates[i], period, interest, principal, outstanding - principal));
            outstanding -= principal;
            start = dates[i];
        }
        return kept;
    }
}
