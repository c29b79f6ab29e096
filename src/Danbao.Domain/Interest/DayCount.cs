namespace Danbao.Domain.Interest;

/// <summary>
/// ACT/360 (policy.md §5): daily rate = annual rate / 360, actual days counted. The exact
/// interest in fen is principalFen × rateBp × days / (10,000 × 360); callers sum numerators
/// (principalFen × rateBp × days, exact in decimal) and divide once, so splitting a period
/// into pieces never changes the total before rounding.
/// </summary>
public static class DayCount
{
    public const int DaysPerYear = 360;

    /// <summary>10,000 bp × 360 days: numerator / this = fen.</summary>
    public const decimal Denominator = 10_000m * DaysPerYear;

    public static decimal Numerator(Money principal, Rate rate, int days) => principal.Fen * rate.Bp * days;

    public static decimal ToFen(decimal numerator) => numerator / Denominator;
}
