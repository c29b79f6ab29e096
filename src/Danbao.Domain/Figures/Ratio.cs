using System.Globalization;

namespace Danbao.Domain.Figures;

/// <summary>
/// A proportion in whole basis points: risk shares (8000 = 80%), hiring ratios (1500 = 15%),
/// the award cap (100 = 1%), the partnership multiplier (11000 = 110%). Not a rate of interest.
/// </summary>
public readonly record struct Ratio : IComparable<Ratio>
{
    public Ratio(int bp)
    {
        if (bp < 0)
            throw new ArgumentOutOfRangeException(nameof(bp), bp, "a ratio cannot be negative");
        Bp = bp;
    }

    public static readonly Ratio Zero = new(0);

    public static readonly Ratio One = new(10_000);

    public int Bp { get; }

    public static Ratio FromBp(int bp) => new(bp);

    public decimal Fraction => Bp / 10_000m;

    /// <summary>True for a ratio in [0, 100%], the valid range of a share.</summary>
    public bool IsShare => Bp <= 10_000;

    /// <summary>The complement of a share: 80% → 20%.</summary>
    public Ratio Complement() =>
        IsShare ? new Ratio(10_000 - Bp) : throw new InvalidOperationException($"{this} is not a share");

    public int CompareTo(Ratio other) => Bp.CompareTo(other.Bp);

    public static bool operator <(Ratio a, Ratio b) => a.Bp < b.Bp;

    public static bool operator >(Ratio a, Ratio b) => a.Bp > b.Bp;

    public static bool operator <=(Ratio a, Ratio b) => a.Bp <= b.Bp;

    public static bool operator >=(Ratio a, Ratio b) => a.Bp >= b.Bp;

    public override string ToString() => (Bp / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
