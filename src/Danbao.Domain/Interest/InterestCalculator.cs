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

    /// <summary>
    /// <see cref="Accrue(Money, Rate, DateRange)"/>'s rounded figure without its breakdown: one numerator, one
    /// division (schedules and overdue timelines ask for it per period of every loan of a claim).
    /// </summary>
    public static Money AccrueRounded(Money principal, Rate rate, DateRange period)
    {
        if (period.Days > PeriodDaysMax)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"an accrual period is at most {PeriodDaysMax} days");
        return period.Days <= 0 ? Money.Zero : RoundedFen(principal, rate, period.Days);
    }

    /// <summary><see cref="Accrue(PrincipalTimeline, Rate, DateRange)"/>'s rounded figure without its breakdown.</summary>
    public static Money AccrueRounded(PrincipalTimeline principal, Rate rate, DateRange period)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (period.Days > PeriodDaysMax)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"an accrual period is at most {PeriodDaysMax} days");
        var numerator = 0m;
        foreach (var (range, amount) in principal.Segments(period))
            numerator += DayCount.Numerator(amount, rate, range.Days);
        return Rounding.HalfUpToFen(DayCount.ToFen(numerator));
    }

    /// <summary>
    /// round-half-up(principal × bp × days / 3,600,000) in whole numbers when the rate is a whole number of basis
    /// points: equal to the decimal computation (a quotient with that denominator is never within 10⁻²⁸ of a
    /// half without being one), and much cheaper.
    /// </summary>
    private static Money RoundedFen(Money principal, Rate rate, int days)
    {
        if (!decimal.IsInteger(rate.Bp) || principal.IsNegative || rate.Bp < 0)
            return Rounding.HalfUpToFen(DayCount.ToFen(DayCount.Numerator(principal, rate, days)));
        var numerator = (Int128)principal.Fen * (long)rate.Bp * days;
        return new Money((long)((numerator + (Int128)(DayCount.Denominator / 2)) / (Int128)DayCount.Denominator));
    }

    /// <summary>Interest on a constant principal: 200,000 × 3.50% × 92/360 = 1,788.89.</summary>
    public static InterestAccrual Accrue(Money principal, Rate rate, DateRange period) =>
        Accrue(PrincipalTimeline.Disbursed(period.Start, principal), rate, period);
}
