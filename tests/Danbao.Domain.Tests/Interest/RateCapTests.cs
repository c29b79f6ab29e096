using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class RateCapTests
{
    [Fact]
    public void Example_1_rate_cap_in_guangzhou_on_2025_06_01_is_lpr_3_00_plus_50bp()
    {
        var cap = RateCap.Compute(PolicySeed.Lpr, PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-06-01"))).Value;
        Assert.Equal(Rate.FromPercent(3.50m), cap.Cap);
        Assert.Equal(Rate.FromPercent(3.00m), cap.Lpr.OneYear);
        Assert.Equal("CN-GD:RATE_SPREAD_BP:2020-04-15", Assert.Single(cap.Versions).Id);
    }

    [Fact]
    public void Example_1_a_contract_rate_of_3_60_is_refused_and_3_50_accepted()
    {
        var policy = PolicySeed.Resolver;
        var refused = RateCap.Check(Rate.FromPercent(3.60m), PolicySeed.Lpr, policy.At(RegionCode.Guangzhou, D("2025-06-01")));
        Assert.Equal(ReasonCodes.RateAboveCap, refused.Refusal!.Code);
        Assert.NotEmpty(refused.Refusal.Versions);
        Assert.True(RateCap.Check(Rate.FromPercent(3.50m), PolicySeed.Lpr, policy.At(RegionCode.Guangzhou, D("2025-06-01"))).IsOk);
    }

    [Theory]
    [InlineData("2025-05-19", 310)]
    [InlineData("2025-05-20", 300)]
    [InlineData("2019-08-20", 425)]
    [InlineData("2022-06-30", 370)]
    public void Lpr_in_force_on_a_date_is_the_latest_publication(string date, int bp) =>
        Assert.Equal(Rate.FromBp(bp), PolicySeed.Lpr.RateOn(D(date)).Value);

    [Fact]
    public void Lpr_before_the_first_entry_is_refused() =>
        Assert.Equal(ReasonCodes.LprNotAvailable, PolicySeed.Lpr.RateOn(D("2019-08-19")).Refusal!.Code);
}
