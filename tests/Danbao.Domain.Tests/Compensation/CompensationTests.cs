using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class CompensationTests
{
    private static readonly Money Outstanding = Money.FromWholeYuan(150_000);

    private static Money NinetyDaysInterest() =>
        InterestCalculator.Accrue(Outstanding, Rate.FromPercent(3.50m), new DateRange(D("2025-06-21"), D("2025-06-21").AddDays(90))).Rounded;

    [Fact]
    public void Example_7_unpaid_interest_is_1312_50_and_the_base_151312_50() =>
        Assert.Equal("1,312.50", NinetyDaysInterest().ToString());

    [Fact]
    public void Compensation_is_split_8_to_2_between_fund_and_bank()
    {
        var c = CompensationCalculator.Compute(Outstanding, NinetyDaysInterest(), CompensationBaseMode.PrincipalAndInterest, Ratio.FromBp(8000));
        Assert.Equal("151,312.50", c.Base.ToString());
        Assert.Equal("121,050.00", c.FundPays.ToString());
        Assert.Equal("30,262.50", c.BankBears.ToString());
    }

    [Fact]
    public void Compensation_for_hk_macau_youth_is_split_9_to_1()
    {
        var c = CompensationCalculator.Compute(Outstanding, NinetyDaysInterest(), true, PolicySeed.Resolver, RegionCode.Guangzhou, D("2025-06-01"), D("2025-12-01")).Value;
        Assert.Equal(Ratio.FromBp(9000), c.Split.FundShare);
        Assert.Equal("136,181.25", c.FundPays.ToString());
        Assert.Equal("15,131.25", c.BankBears.ToString());
        Assert.Contains(c.Versions, v => v.Key == PolicyParameters.RiskShareFundHkMacauYouthBp);
        Assert.Contains(c.Versions, v => v.Key == PolicyParameters.CompensationBaseMode);
    }

    [Fact]
    public void Ordinary_guangzhou_loan_is_split_8_to_2_by_the_seeded_policy()
    {
        var c = CompensationCalculator.Compute(Outstanding, NinetyDaysInterest(), false, PolicySeed.Resolver, RegionCode.Guangzhou, D("2025-06-01"), D("2025-12-01")).Value;
        Assert.Equal("121,050.00", c.FundPays.ToString());
    }

    [Fact]
    public void Hk_macau_youth_outside_guangzhou_gets_the_ordinary_share()
    {
        var share = RiskShare.For(PolicySeed.Resolver.At(RegionCode.Jiangmen, D("2025-06-01")), hkMacauYouth: true).Value;
        Assert.Equal(Ratio.FromBp(8000), share.FundShare);
        Assert.False(share.HkMacauYouthRate);
    }

    [Theory]
    [InlineData("2023-06-01", 8000)]
    [InlineData("2024-01-15", 8000)] // policy.md §6: "A guarantee signed on 2024-01-15 is 8:2."
    [InlineData("2024-02-05", 8000)]
    [InlineData("2024-02-06", 9000)]
    [InlineData("2029-02-05", 9000)]
    [InlineData("2029-02-06", 8000)] // 穗人社规字〔2024〕2号 valid 5 years: ends 2029-02-05
    public void Hk_macau_youth_9_to_1_applies_to_guarantees_signed_2024_02_06_to_2029_02_05(string guaranteeDate, int fundBp)
    {
        var share = RiskShare.For(PolicySeed.Resolver.At(RegionCode.Guangzhou, D(guaranteeDate)), hkMacauYouth: true).Value;
        Assert.Equal(Ratio.FromBp(fundBp), share.FundShare);
        Assert.Equal(fundBp == 9000, share.HkMacauYouthRate);
    }

    [Fact]
    public void Principal_only_compensation_is_120000_30000_at_8_to_2_and_135000_15000_at_9_to_1()
    {
        var eight = CompensationCalculator.Compute(Outstanding, NinetyDaysInterest(), CompensationBaseMode.PrincipalOnly, Ratio.FromBp(8000));
        Assert.Equal(Money.FromWholeYuan(120_000), eight.FundPays);
        Assert.Equal(Money.FromWholeYuan(30_000), eight.BankBears);
        var nine = CompensationCalculator.Compute(Outstanding, NinetyDaysInterest(), CompensationBaseMode.PrincipalOnly, Ratio.FromBp(9000));
        Assert.Equal(Money.FromWholeYuan(135_000), nine.FundPays);
        Assert.Equal(Money.FromWholeYuan(15_000), nine.BankBears);
    }

    [Fact]
    public void Example_8_recovery_is_shared_in_the_loss_ratio()
    {
        var eight = RecoverySplit.Split(Money.FromWholeYuan(50_000), Ratio.FromBp(8000));
        Assert.Equal((Money.FromWholeYuan(40_000), Money.FromWholeYuan(10_000)), (eight.Fund, eight.Bank));
        var nine = RecoverySplit.Split(Money.FromWholeYuan(50_000), Ratio.FromBp(9000));
        Assert.Equal((Money.FromWholeYuan(45_000), Money.FromWholeYuan(5_000)), (nine.Fund, nine.Bank));
    }

    [Theory]
    [InlineData(90, false)]
    [InlineData(91, true)]
    public void A_claim_needs_more_than_90_days_overdue(int overdueDays, bool allowed)
    {
        var result = ClaimEligibility.Check(overdueDays, PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-12-01")));
        Assert.Equal(allowed, result.IsOk);
        if (!allowed)
            Assert.Equal(ReasonCodes.NotOverdueLongEnough, result.Refusal!.Code);
    }

    [Theory]
    [InlineData("2027-11-30", false, false)]
    [InlineData("2027-12-01", false, true)]
    [InlineData("2026-01-01", true, true)]
    public void Write_off_waits_24_months_after_compensation_unless_proven_uncollectable(string on, bool proven, bool allowed)
    {
        var result = WriteOffEligibility.Check(D("2025-12-01"), D(on), proven, PolicySeed.Resolver.At(RegionCode.Guangzhou, D(on)));
        Assert.Equal(allowed, result.IsOk);
        if (!allowed)
            Assert.Equal(ReasonCodes.WriteOffTooEarly, result.Refusal!.Code);
    }
}
