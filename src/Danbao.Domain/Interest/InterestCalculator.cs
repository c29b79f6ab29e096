namespace Danbao.Domain.Interest;

/// <summary>Daily accrual, ACT/360, first day in and last day out (算头不算尾), principal day by day.</summary>
public static class InterestCalculator
{
    /// <summary>Bounds a single accrual: longer than any term plus extension.</summary>
    public const int PeriodDaysMax = 366 * 10;

    /// <summary>Interest on the timeline's principal over [period.Start, period.End) at the contract rate.</summary>
    public static InterestAccrual Accrue(PrincipalTimeline principal, Rate rate, DateRange period)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (period.Days > PeriodDaysMax)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"an accrual period is at most {PeriodDaysMax} days");
        var segments = new List<InterestSegment>();
        var numerator = 0m;
        foreach (var (range, amount) in principal.Segments(period))
        {
            var n = DayCount.Numerator(amount, rate, range.Days);
            numerator += n;
            segments.Add(new InterestSegment(range, amount, rate, DayCount.ToFen(n)));
        }
        return new InterestAccrual(period, rate, segments, numerator);
    }

    /// <summary>Interest on a constant principal: 200,000 × 3.50% × 92/360 = 1,788.89.</summary>
    public static InterestAccrual Accrue(Money principal, Rate rate, DateRange period) =>
        Accrue(PrincipalTimeline.Disbursed(period.Start, principal), rate, period);
}
