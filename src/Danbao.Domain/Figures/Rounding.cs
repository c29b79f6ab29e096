namespace Danbao.Domain.Figures;

/// <summary>
/// The one rounding rule (policy.md §5): amounts are computed unrounded, in decimal fen, and
/// rounded half-up (away from zero) to the fen once per loan per period. Nothing else rounds
/// interest or subsidy; splits use <see cref="ShareSplit"/> (fund share rounded down).
/// </summary>
public static class Rounding
{
    /// <summary>Half-up to the fen: 89.5 fen → 90 fen; -89.5 → -90 (away from zero).</summary>
    public static Money HalfUpToFen(decimal unroundedFen) =>
        new((long)Math.Round(unroundedFen, 0, MidpointRounding.AwayFromZero));

    /// <summary>Down (toward negative infinity) to the fen: public money never pays more than its exact share.</summary>
    public static Money DownToFen(decimal unroundedFen) => new((long)Math.Floor(unroundedFen));
}
