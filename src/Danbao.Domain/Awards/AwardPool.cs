using System.Numerics;

namespace Danbao.Domain.Awards;

/// <summary>An institution (handling bank or fund operator) proposed for an award, with its year's new lending and score.</summary>
public sealed record AwardCandidate(string InstitutionId, Money NewLending, Ratio Score);

/// <summary>A proposed or submitted award amount.</summary>
public sealed record AwardAllocation(string InstitutionId, Money Amount);

/// <summary>
/// Incentive awards (奖补, policy.md §7): the pool is at most AWARD_POOL_CAP_BP (1%) of the
/// year's new lending, rounded down to the fen. The default proposal shares the whole pool pro
/// rata to new lending × score (score in [0, 100%]), exact to the fen by largest remainder;
/// any allocation whose total exceeds the cap is refused.
/// </summary>
public static class AwardPool
{
    public const int CandidatesMax = 10_000;

    public static Money Cap(Money yearNewLending, Ratio capShare) =>
        Rounding.DownToFen((decimal)yearNewLending.Fen * capShare.Bp / 10_000m);

    public static Result<IReadOnlyList<AwardAllocation>> Propose(Money pool, IReadOnlyList<AwardCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count > CandidatesMax || pool.IsNegative)
            return new Refusal(ReasonCodes.AwardInputInvalid, $"need a non-negative pool and at most {CandidatesMax} candidates");
        if (candidates.Any(c => c.NewLending.IsNegative || !c.Score.IsShare))
            return new Refusal(ReasonCodes.AwardInputInvalid, "new lending must be non-negative and scores within 0..100%");
        var weights = candidates.Select(c => (BigInteger)c.NewLending.Fen * c.Score.Bp).ToArray();
        var total = weights.Aggregate(BigInteger.Zero, (a, b) => a + b);
        if (total.IsZero)
            return candidates.Select(c => new AwardAllocation(c.InstitutionId, Money.Zero)).ToArray();
        return LargestRemainder(pool, candidates, weights, total);
    }

    /// <summary>Refuses AWARD_ABOVE_CAP when the allocations add up to more than the cap; equal is accepted.</summary>
    public static Result<Money> CheckTotal(IEnumerable<AwardAllocation> allocations, Money cap)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        var list = allocations.ToList();
        if (list.Any(a => a.Amount.IsNegative))
            return new Refusal(ReasonCodes.AwardInputInvalid, "award amounts cannot be negative");
        var total = Money.Sum(list.Select(a => a.Amount));
        return total <= cap
            ? total
            : new Refusal(ReasonCodes.AwardAboveCap, $"awards total {total}, above the cap {cap}");
    }

    private static AwardAllocation[] LargestRemainder(Money pool, IReadOnlyList<AwardCandidate> candidates, BigInteger[] weights, BigInteger total)
    {
        var fen = new long[weights.Length];
        var remainders = new BigInteger[weights.Length];
        long given = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var quotient = BigInteger.DivRem(pool.Fen * weights[i], total, out var remainder);
            fen[i] = (long)quotient;
            remainders[i] = remainder;
            given += fen[i];
        }
        // The leftover fen (fewer than the number of candidates) go to the largest remainders; ties by order given.
        var order = Enumerable.Range(0, weights.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; k < pool.Fen - given; k++)
            fen[order[k]]++;
        var result = candidates.Select((c, i) => new AwardAllocation(c.InstitutionId, Money.FromFen(fen[i]))).ToArray();
        if (Money.Sum(result.Select(r => r.Amount)) != pool)
            throw new InvalidOperationException("award proposal does not add up to the pool");
        return result;
    }
}
