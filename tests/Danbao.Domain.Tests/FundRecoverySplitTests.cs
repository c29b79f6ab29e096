using FsCheck;
using FsCheck.Fluent;

namespace Danbao.Domain.Tests;

/// <summary>Recoveries shared back in the loss ratio, one at a time (policy.md §6, §9 example 8).</summary>
public class FundRecoverySplitTests
{
    [Theory]
    [InlineData(8000, 4_000_000, 1_000_000)]
    [InlineData(9000, 4_500_000, 500_000)]
    public void Example_8_a_first_recovery_of_50000_splits_in_the_loss_ratio(int fundBp, long fundFen, long bankFen)
    {
        var split = CumulativeRecoverySplit.Next(Money.Zero, Money.FromWholeYuan(50_000), new Ratio(fundBp));
        Assert.Equal((fundFen, bankFen), (split.Fund.Fen, split.Bank.Fen));
    }

    [Fact]
    public void Recovering_the_whole_base_in_pieces_returns_exactly_the_compensation_split()
    {
        // 100,000.05 at 9:1: fund 90,000.04, bank 10,000.01 (policy.md §6); three odd pieces.
        var share = new Ratio(9000);
        var pieces = new[] { Money.FromFen(3_333_335), Money.FromFen(3_333_335), Money.FromFen(3_333_335) };
        var before = Money.Zero;
        long fund = 0;
        foreach (var piece in pieces)
        {
            fund += CumulativeRecoverySplit.Next(before, piece, share).Fund.Fen;
            before += piece;
        }
        Assert.Equal(ShareSplit.Split(Money.FromFen(10_000_005), share).Fund.Fen, fund);
        Assert.Equal(9_000_004, fund);
    }

    [Fact]
    public void Any_sequence_of_recoveries_adds_up_and_gives_the_fund_its_rounded_down_share_of_the_total() =>
        Prop.ForAll(
            (from bp in Gen.Choose(0, 10_000)
             from pieces in Gen.ListOf(Gen.Choose(1, 50_000_000)).Where(l => l.Count > 0)
             select (bp, pieces)).ToArbitrary(),
            t =>
            {
                var share = new Ratio(t.bp);
                var total = Money.Zero;
                long fund = 0;
                foreach (var fen in t.pieces)
                {
                    var piece = Money.FromFen(fen);
                    var split = CumulativeRecoverySplit.Next(total, piece, share);
                    if (split.Fund.IsNegative || split.Bank.IsNegative || split.Fund + split.Bank != piece)
                        return false;
                    fund += split.Fund.Fen;
                    total += piece;
                }
                return fund == ShareSplit.Split(total, share).Fund.Fen;
            }).QuickCheckThrowOnFailure();
}
