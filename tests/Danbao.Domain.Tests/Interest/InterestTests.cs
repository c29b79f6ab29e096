using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class InterestTests
{
    [Fact]
    public void Example_2_interest_for_a_92_day_quarter_is_1788_89()
    {
        var accrual = InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, Range("2025-06-21", "2025-09-21"));
        Assert.Equal(92, accrual.Days);
        Assert.Equal("1,788.89", accrual.Rounded.ToString());
    }

    [Fact]
    public void Example_2_interest_over_730_days_is_14194_44()
    {
        var period = new DateRange(D("2025-06-01"), D("2025-06-01").AddDays(730));
        Assert.Equal("14,194.44", InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, period).Rounded.ToString());
    }

    [Fact]
    public void Interest_counts_the_first_day_and_not_the_last()
    {
        // One day: [06-01, 06-02) = 200,000 × 3.5% / 360 = 19.444… → 19.44
        Assert.Equal(1944, InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, Range("2025-06-01", "2025-06-02")).Rounded.Fen);
        Assert.Equal(0, InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, Range("2025-06-01", "2025-06-01")).Rounded.Fen);
    }

    [Fact]
    public void Principal_repaid_mid_period_earns_interest_only_until_the_repayment_day()
    {
        var timeline = PrincipalTimeline.Disbursed(D("2025-06-21"), Examples.Principal).With(D("2025-08-01"), Money.FromWholeYuan(100_000));
        var accrual = InterestCalculator.Accrue(timeline, Examples.ContractRate, Range("2025-06-21", "2025-09-21"));
        Assert.Equal(2, accrual.Segments.Count);
        Assert.Equal(41, accrual.Segments[0].Days); // 06-21 … 07-31
        Assert.Equal(51, accrual.Segments[1].Days); // 08-01 … 09-20
        // 200,000 × 3.5% × 41/360 + 100,000 × 3.5% × 51/360 = 797.22… + 495.83… = 1,293.06 (one rounding)
        Assert.Equal("1,293.06", accrual.Rounded.ToString());
    }

    [Fact]
    public void A_quarter_containing_29_february_counts_it()
    {
        var accrual = InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, Range("2027-12-20", "2028-03-20"));
        Assert.Equal(91, accrual.Days);
        Assert.Equal(90, InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, Range("2026-12-20", "2027-03-20")).Days);
    }

    [Fact]
    public void Interest_is_additive_across_a_day_split_before_the_one_rounding() =>
        Prop.ForAll(
            (from days in Gen.Choose(1, 1000)
             from cutRaw in Gen.Choose(0, 1000)
             from principalYuan in Gen.Choose(1, 100_000_000)
             from bp in Gen.Choose(1, 2000)
             select (days, cutRaw, principalYuan, bp)).ToArbitrary(),
            t =>
            {
                var (days, cutRaw, principalYuan, bp) = t;
                var start = D("2024-01-01");
                var cut = start.AddDays(cutRaw % (days + 1));
                var end = start.AddDays(days);
                var principal = Money.FromWholeYuan(principalYuan);
                var rate = Rate.FromBp(bp);
                var whole = InterestCalculator.Accrue(principal, rate, new DateRange(start, end));
                var a = InterestCalculator.Accrue(principal, rate, new DateRange(start, cut));
                var b = InterestCalculator.Accrue(principal, rate, new DateRange(cut, end));
                return a.Numerator + b.Numerator == whole.Numerator
                    && Rounding.HalfUpToFen(DayCount.ToFen(a.Numerator + b.Numerator)) == whole.Rounded
                    && Math.Abs((a.Rounded + b.Rounded - whole.Rounded).Fen) <= 1;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void The_rounded_accrual_without_its_breakdown_is_the_accrual_rounded() =>
        Prop.ForAll(
            (from days in Gen.Choose(0, 3660)
             from fen in Gen.Choose(0, int.MaxValue)
             from bp in Gen.Choose(0, 5000)
             from quarterBp in Gen.Choose(0, 3)
             select (days, fen, bp, quarterBp)).ToArbitrary(),
            t =>
            {
                var (days, fen, bp, quarterBp) = t;
                var period = new DateRange(D("2024-01-01"), D("2024-01-01").AddDays(days));
                var principal = Money.FromFen(fen * 7L); // up to 150 million yuan
                var rate = Rate.FromBp(bp + quarterBp * 0.25m); // whole and fractional basis points
                var timeline = PrincipalTimeline.FromRepayments(period.Start, principal + Money.FromFen(100), [(period.Start.AddDays(days / 2), Money.FromFen(100))]);
                return InterestCalculator.AccrueRounded(principal, rate, period) == InterestCalculator.Accrue(principal, rate, period).Rounded
                    && InterestCalculator.AccrueRounded(timeline, rate, period) == InterestCalculator.Accrue(timeline, rate, period).Rounded;
            }).QuickCheckThrowOnFailure();
}
