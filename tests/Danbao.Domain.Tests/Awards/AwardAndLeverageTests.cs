using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class AwardAndLeverageTests
{
    private static Money Yi(decimal yi) => Money.FromYuan(yi * 100_000_000m);

    private static Money Wan(decimal wan) => Money.FromYuan(wan * 10_000m);

    [Fact]
    public void Example_9_award_pool_is_1_percent_of_new_lending_249_wan()
    {
        var cap = PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-12-31")).AwardPoolCap;
        Assert.Equal(Wan(249), AwardPool.Cap(Yi(2.49m), cap));
    }

    [Fact]
    public void Example_9_pool_is_shared_pro_rata_to_lending_times_score_exactly_to_the_fen()
    {
        var proposal = AwardPool.Propose(Wan(249), [
            new AwardCandidate("A", Yi(1.5m), Ratio.FromBp(10_000)),
            new AwardCandidate("B", Yi(0.99m), Ratio.FromBp(8_000)),
        ]).Value;
        // 2,490,000 × 1.5 / 2.292 = 1,629,581.151… ; × 0.792 / 2.292 = 860,418.848…
        Assert.Equal("1,629,581.15", proposal[0].Amount.ToString());
        Assert.Equal("860,418.85", proposal[1].Amount.ToString());
        Assert.Equal(Wan(249), proposal[0].Amount + proposal[1].Amount);
        Assert.Equal(163.0m, Math.Round(proposal[0].Amount.Yuan / 10_000m, 1));
        Assert.Equal(86.0m, Math.Round(proposal[1].Amount.Yuan / 10_000m, 1));
    }

    [Fact]
    public void An_allocation_one_fen_above_the_cap_is_refused_and_at_the_cap_accepted()
    {
        var cap = Wan(249);
        Assert.True(AwardPool.CheckTotal([new("A", Wan(163)), new("B", cap - Wan(163))], cap).IsOk);
        var over = AwardPool.CheckTotal([new("A", Wan(163)), new("B", cap - Wan(163) + Money.FromFen(1))], cap);
        Assert.Equal(ReasonCodes.AwardAboveCap, over.Refusal!.Code);
    }

    [Fact]
    public void Award_proposals_always_sum_to_the_pool_when_anyone_has_weight() =>
        Prop.ForAll(
            (from pool in Gen.Choose(0, int.MaxValue)
             from n in Gen.Choose(1, 8)
             from lending in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
             from scores in Gen.ArrayOf(Gen.Choose(0, 10_000), n)
             select (pool, lending, scores)).ToArbitrary(),
            t =>
            {
                var candidates = t.lending.Select((l, i) => new AwardCandidate($"I{i}", Money.FromFen(l * 100L), Ratio.FromBp(t.scores[i]))).ToArray();
                var proposal = AwardPool.Propose(Money.FromFen(t.pool), candidates).Value;
                var anyWeight = candidates.Any(c => c.NewLending.IsPositive && c.Score.Bp > 0);
                var total = Money.Sum(proposal.Select(p => p.Amount));
                return (anyWeight ? total == Money.FromFen(t.pool) : total.IsZero) && proposal.All(p => !p.Amount.IsNegative);
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Example_10_fund_balance_of_6000_wan_supports_at_most_3_yi_of_guarantees()
    {
        var policy = PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-06-01"));
        var ok = LeverageCheck.Check(Yi(2.9m), Wan(1000), Wan(6000), policy).Value;
        Assert.Equal(Yi(3m), ok.Limit);
        Assert.Equal(Money.Zero, ok.Headroom);
        var refused = LeverageCheck.Check(Yi(2.9m), Wan(1000) + Money.FromFen(1), Wan(6000), policy);
        Assert.Equal(ReasonCodes.LeverageExceeded, refused.Refusal!.Code);
    }
}
