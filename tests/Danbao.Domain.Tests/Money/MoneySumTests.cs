using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Danbao.Domain.Tests;

public class MoneySumTests
{
    [Fact]
    public void A_sum_that_overflows_is_refused_not_wrapped()
    {
        Assert.Equal(ReasonCodes.AmountOverflow, Money.TrySum([Money.FromFen(long.MaxValue), Money.FromFen(1)]).Refusal!.Code);
        Assert.Equal(ReasonCodes.AmountOverflow, Money.TrySum([Money.FromFen(long.MinValue), Money.FromFen(-1)]).Refusal!.Code);
        Assert.Equal(ReasonCodes.AmountOverflow, Money.TrySum(Enumerable.Repeat(Money.FromFen(long.MaxValue / 2 + 1), 2)).Refusal!.Code);
        Assert.Equal(Money.FromFen(long.MaxValue), Money.TrySum([Money.FromFen(long.MaxValue - 1), Money.FromFen(1)]).Value);
        Assert.Equal(Money.Zero, Money.TrySum([]).Value);
    }

    [Fact]
    public void A_sum_is_refused_exactly_when_a_running_total_leaves_64_bit_fen()
    {
        Prop.ForAll<long[]>(fens =>
        {
            BigInteger running = 0;
            var fits = true;
            foreach (var f in fens)
            {
                running += f;
                fits &= running >= long.MinValue && running <= long.MaxValue;
            }
            var sum = Money.TrySum(fens.Select(Money.FromFen));
            return fits ? sum.IsOk && sum.Value.Fen == (long)running : !sum.IsOk && sum.Refusal!.Code == ReasonCodes.AmountOverflow;
        }).QuickCheckThrowOnFailure();
    }
}
