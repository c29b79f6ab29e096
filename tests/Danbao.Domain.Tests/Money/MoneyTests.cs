using FsCheck;
using FsCheck.Fluent;

namespace Danbao.Domain.Tests;


public class MoneyTests
{
    [Theory]
    [InlineData(178889, "1,788.89")]
    [InlineData(0, "0.00")]
    [InlineData(5, "0.05")]
    [InlineData(-5, "-0.05")]
    [InlineData(30000000, "300,000.00")]
    [InlineData(1000000005, "10,000,000.05")]
    public void Money_formats_as_yuan_with_separators(long fen, string text)
    {
        Assert.Equal(text, Money.FromFen(fen).ToString());
        Assert.Equal(Money.FromFen(fen), Money.Parse(text));
    }

    [Theory]
    [InlineData("100000", 10000000)]
    [InlineData("100000.01", 10000001)]
    [InlineData("0.5", 50)]
    [InlineData("-12.30", -1230)]
    public void Money_parses_yuan_text(string text, long fen) => Assert.Equal(fen, Money.Parse(text).Fen);

    [Theory]
    [InlineData("1.234")]
    [InlineData("1,23.00")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1e5")]
    public void Money_refuses_text_that_is_not_an_exact_yuan_amount(string text) => Assert.False(Money.TryParse(text, out _));

    [Fact]
    public void Money_arithmetic_overflow_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => Money.FromFen(long.MaxValue) + Money.FromFen(1));
        Assert.Throws<OverflowException>(() => Money.FromFen(long.MaxValue / 2 + 1) * 2);
    }

    [Fact]
    public void Money_from_yuan_refuses_fractions_of_a_fen() =>
        Assert.Throws<ArgumentException>(() => Money.FromYuan(1.001m));

    [Fact]
    public void Money_text_round_trips() =>
        Prop.ForAll<long>(fen => Money.Parse(Money.FromFen(fen).ToString()) == Money.FromFen(fen)).QuickCheckThrowOnFailure();

    [Fact]
    public void Half_of_3_45_percent_is_exactly_172_5_bp() =>
        Assert.Equal(172.5m, Rate.FromPercent(3.45m).Times(Ratio.FromBp(5000)).Bp);

    [Fact]
    public void Rounding_is_half_up_to_the_fen()
    {
        Assert.Equal(179, Rounding.HalfUpToFen(178.5m).Fen);
        Assert.Equal(178, Rounding.HalfUpToFen(178.4999m).Fen);
        Assert.Equal(-179, Rounding.HalfUpToFen(-178.5m).Fen);
    }

    [Fact]
    public void Rounding_is_to_the_nearest_fen_with_halves_away_from_zero() =>
        Prop.ForAll<int, byte>((whole, frac) =>
        {
            var unrounded = whole + frac / 256m;
            var rounded = Rounding.HalfUpToFen(unrounded).Fen;
            var distance = Math.Abs(rounded - unrounded);
            return distance < 0.5m || (distance == 0.5m && Math.Abs(rounded) > Math.Abs(unrounded));
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Split_of_100000_05_at_9_to_1_gives_the_fund_the_rounded_down_share()
    {
        var split = ShareSplit.Split(Money.Parse("100000.05"), Ratio.FromBp(9000));
        Assert.Equal("90,000.04", split.Fund.ToString());
        Assert.Equal("10,000.01", split.Bank.ToString());
    }

    [Fact]
    public void Splits_always_add_up_and_the_fund_never_gets_more_than_its_exact_share() =>
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), ArbMap.Default.ArbFor<long>(), (bp, raw) =>
        {
            var amount = Money.FromFen(Math.Abs(raw % 1_000_000_000_000L));
            var split = ShareSplit.Split(amount, Ratio.FromBp(bp));
            var exact = (decimal)amount.Fen * bp / 10_000m;
            return split.Fund + split.Bank == amount && split.Fund.Fen <= exact && exact - split.Fund.Fen < 1
                && !split.Bank.IsNegative;
        }).QuickCheckThrowOnFailure();
}
