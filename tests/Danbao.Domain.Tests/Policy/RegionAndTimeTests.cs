using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class RegionAndTimeTests
{
    [Fact]
    public void Region_codes_form_a_hierarchy_city_province_national()
    {
        Assert.Equal(RegionCode.Guangdong, RegionCode.Guangzhou.Parent);
        Assert.Equal(RegionCode.National, RegionCode.Guangdong.Parent);
        Assert.Null(RegionCode.National.Parent);
        Assert.Equal(new[] { "CN-GD-JM", "CN-GD", "CN" }, RegionCode.Jiangmen.SelfAndAncestors().Select(r => r.Value));
        Assert.Equal(RegionLevel.City, RegionCode.Guangzhou.Level);
        Assert.True(RegionCode.Guangzhou.IsWithin(RegionCode.Guangdong));
        Assert.False(RegionCode.Guangdong.IsWithin(RegionCode.Guangzhou));
    }

    [Theory]
    [InlineData("cn")]
    [InlineData("US-CA")]
    [InlineData("CN-GD-GZ-X1")]
    [InlineData("CN-")]
    [InlineData("CN-gd")]
    public void Malformed_region_codes_are_refused(string text) => Assert.False(RegionCode.TryParse(text, out _));

    [Fact]
    public void Business_dates_are_in_china_standard_time()
    {
        Assert.Equal(D("2025-10-01"), ChinaStandardTime.BusinessDate(new DateTimeOffset(2025, 9, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(D("2025-09-30"), ChinaStandardTime.BusinessDate(new DateTimeOffset(2025, 9, 30, 15, 59, 59, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2025, 10, 2, 16, 0, 0, TimeSpan.Zero), ChinaStandardTime.StartOfDay(D("2025-10-03")));
    }
}
