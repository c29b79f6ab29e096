namespace Danbao.Domain.Loans;

/// <summary>
/// Interest settles quarterly on the 20th of the quarter's last month (Mar/Jun/Sep/Dec 20, 结息日).
/// A settlement on the 20th covers the days before it: periods are [previous date, 20th).
/// </summary>
public static class InterestDates
{
    public const int SettlementDay = 20;

    /// <summary>The first settlement date strictly after <paramref name="date"/>.</summary>
    public static DateOnly NextSettlementAfter(DateOnly date)
    {
        var quarterEndMonth = ((date.Month - 1) / 3 + 1) * 3;
        var candidate = new DateOnly(date.Year, quarterEndMonth, SettlementDay);
        return candidate > date ? candidate : candidate.AddMonths(3);
    }

    /// <summary>Settlement dates strictly after <paramref name="from"/> and strictly before <paramref name="until"/>.</summary>
    public static IEnumerable<DateOnly> Between(DateOnly from, DateOnly until)
    {
        for (var d = NextSettlementAfter(from); d < until; d = d.AddMonths(3))
            yield return d;
    }

    /// <summary>The quarter's interest period ending (exclusive) on a settlement date: [previous 20th, this 20th).</summary>
    public static DateRange QuarterEndingOn(DateOnly settlementDate) => new(settlementDate.AddMonths(-3), settlementDate);
}
