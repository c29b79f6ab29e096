namespace Danbao.Domain.Awards;

/// <summary>
/// An award already decided for the same year by another region: its year's new lending, its cap by share
/// on that lending (award_allocations.cap_fen: the full cap, not a pool reduced by nested awards) and its total.
/// </summary>
public sealed record RegionAward(RegionCode Region, Money NewLending, Money CapByShare, Money Awarded);

/// <summary>
/// How much a region may still award for a year (policy.md §7): at most AWARD_POOL_CAP_BP of its year's new
/// lending, and lending counts once across nested regions. Every region X must keep
/// Σ awards of X and of the regions within X ≤ cap(X's lending); so the pool of R is the least of
/// cap(R) − awards within R, and, for each enclosing region P already decided,
/// cap(P) − P's award − the awards within P. An enclosing region not yet decided needs no check:
/// its lending is the sum of the lending of the regions within it, and the floors of the parts never
/// exceed the floor of the whole.
/// </summary>
public sealed record AwardPoolLimit(Money CapByShare, Money AwardedOnSameLending, Money Pool, Ratio Share, string Explanation)
{
    public static Result<AwardPoolLimit> For(RegionCode region, Money newLending, Ratio share, IReadOnlyList<RegionAward> decidedThisYear)
    {
        ArgumentNullException.ThrowIfNull(decidedThisYear);
        if (newLending.IsNegative || !share.IsShare || decidedThisYear.Any(a => a.NewLending.IsNegative || a.CapByShare.IsNegative || a.Awarded.IsNegative))
            return new Refusal(ReasonCodes.AwardInputInvalid, "lending and awards must be non-negative and the cap share within 0..100%");
        if (decidedThisYear.Any(a => a.Region == region))
            return new Refusal(SubsidyReasons.AwardAlreadyApproved, $"awards for {region} are already decided for this year");
        var own = AwardPool.Cap(newLending, share);
        var within = Money.Sum(decidedThisYear.Where(a => a.Region.IsWithin(region)).Select(a => a.Awarded));
        var pool = own - within;
        var why = $"cap {share} × {newLending} = {own}; awarded within {region}: {within}";
        foreach (var enclosing in decidedThisYear.Where(a => region.IsWithin(a.Region)))
        {
            var used = enclosing.Awarded + Money.Sum(decidedThisYear.Where(a => a.Region != enclosing.Region && a.Region.IsWithin(enclosing.Region)).Select(a => a.Awarded));
            var room = enclosing.CapByShare - used;
            why += $"; {enclosing.Region} leaves {room} (cap {enclosing.CapByShare}, awarded on its lending {used})";
            pool = Money.Min(pool, room);
        }
        pool = Money.Max(pool, Money.Zero);
        return new AwardPoolLimit(own, own - Money.Min(own, pool), pool, share, why + $" → pool {pool}");
    }
}
