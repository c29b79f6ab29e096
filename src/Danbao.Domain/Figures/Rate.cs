using System.Globalization;

namespace Danbao.Domain.Figures;

/// <summary>
/// An annual interest rate in basis points, held as a decimal so that derived rates stay exact:
/// 350 = 3.50%, and 50% × 3.45% = 172.5bp exactly. Never negative.
/// </summary>
public readonly record struct Rate : IComparable<Rate>
{
    public Rate(decimal bp)
    {
        if (bp < 0)
            throw new ArgumentOutOfRangeException(nameof(bp), bp, "a rate cannot be negative");
        if (bp > 100_000)
            throw new ArgumentOutOfRangeException(nameof(bp), bp, "a rate above 1000% is not a loan rate");
        Bp = bp;
    }

    public static readonly Rate Zero = new(0);

    public decimal Bp { get; }

    public static Rate FromBp(decimal bp) => new(bp);

    /// <summary>3.5m → 350bp.</summary>
    public static Rate FromPercent(decimal percent) => new(percent * 100m);

    /// <summary>The rate as a fraction: 350bp → 0.035.</summary>
    public decimal Fraction => Bp / 10_000m;

    public decimal Percent => Bp / 100m;

    public static Rate operator +(Rate a, Rate b) => new(a.Bp + b.Bp);

    /// <summary>Difference floored at zero: a subsidy rate never goes negative.</summary>
    public static Rate SubtractFloorZero(Rate a, Rate b) => new(Math.Max(0, a.Bp - b.Bp));

    /// <summary>A share of a rate, exact: 50% × 3.45% = 172.5bp.</summary>
    public Rate Times(Ratio ratio) => new(Bp * ratio.Bp / 10_000m);

    public static bool operator <(Rate a, Rate b) => a.Bp < b.Bp;

    public static bool operator >(Rate a, Rate b) => a.Bp > b.Bp;

    public static bool operator <=(Rate a, Rate b) => a.Bp <= b.Bp;

    public static bool operator >=(Rate a, Rate b) => a.Bp >= b.Bp;

    public int CompareTo(Rate other) => Bp.CompareTo(other.Bp);

    /// <summary>"3.50%", "1.725%".</summary>
    public override string ToString() => Percent.ToString("0.00##", CultureInfo.InvariantCulture) + "%";
}
