namespace Danbao.Domain.Loans;

/// <summary>One scheduled payment: interest for its period (rounded once) and any principal due.</summary>
public sealed record ScheduledPayment(DateOnly DueDate, DateRange InterestPeriod, Money Interest, Money Principal, Money PrincipalAfter)
{
    public Money Total => Interest + Principal;
}

/// <summary>
/// A loan's repayment plan: quarterly interest on Mar/Jun/Sep/Dec 20 plus a final payment at
/// maturity (disbursement + term months). Bullet: all principal at maturity. Equal principal:
/// the principal divided equally over all payment dates, the odd fen on the last.
/// Interest figures are the contractual plan; actual interest follows actual repayments.
/// </summary>
public static class RepaymentSchedule
{
    public const int PaymentsMax = 200;

    public static IReadOnlyList<ScheduledPayment> Build(RepaymentMethod method, Money amount, Rate rate, DateOnly disbursedOn, int termMonths)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(termMonths);
        if (!amount.IsPositive)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "the amount must be positive");
        var maturity = disbursedOn.AddMonths(termMonths);
        var dates = InterestDates.Between(disbursedOn, maturity).Append(maturity).ToArray();
        if (dates.Length > PaymentsMax)
            throw new ArgumentOutOfRangeException(nameof(termMonths), termMonths, "schedule too long");
        var principalParts = method == RepaymentMethod.Bullet ? Bullet(amount, dates.Length) : Equal(amount, dates.Length);
        var payments = new List<ScheduledPayment>(dates.Length);
        var start = disbursedOn;
        var outstanding = amount;
        for (var i = 0; i < dates.Length; i++)
        {
            var period = new DateRange(start, dates[i]);
            var interest = InterestCalculator.AccrueRounded(outstanding, rate, period);
            outstanding -= principalParts[i];
            payments.Add(new ScheduledPayment(dates[i], period, interest, principalParts[i], outstanding));
            start = dates[i];
        }
        if (!outstanding.IsZero)
            throw new InvalidOperationException("schedule does not repay the whole principal");
        return payments;
    }

    private static Money[] Bullet(Money amount, int count)
    {
        var parts = Enumerable.Repeat(Money.Zero, count).ToArray();
        parts[^1] = amount;
        return parts;
    }

    private static Money[] Equal(Money amount, int count)
    {
        var each = Money.FromFen(amount.Fen / count);
        var parts = Enumerable.Repeat(each, count).ToArray();
        parts[^1] = amount - each * (count - 1);
        return parts;
    }
}
