using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class PublicityWindowTests
{
    [Fact]
    public void Jiangmen_publicity_published_2025_09_30_concludes_from_2025_10_03_midnight_cst()
    {
        var window = PublicityWindow.Open(D("2025-09-30"), PolicySeed.Resolver, RegionCode.Jiangmen, PolicySeed.Calendar).Value;
        Assert.Equal(3, window.Length);
        Assert.Equal(PublicityUnit.CalendarDays, window.Unit);
        Assert.Equal(D("2025-10-02"), window.LastDay);
        Assert.Equal(ChinaStandardTime.StartOfDay(D("2025-10-03")), window.ConcludesAt);
        Assert.Equal(new DateTimeOffset(2025, 10, 2, 16, 0, 0, TimeSpan.Zero), window.ConcludesAt);
        Assert.False(window.HasEnded(new DateTimeOffset(2025, 10, 2, 15, 59, 59, TimeSpan.Zero)));
        Assert.True(window.HasEnded(new DateTimeOffset(2025, 10, 2, 16, 0, 0, TimeSpan.Zero)));
        Assert.Contains(window.Versions, v => v.Id == "CN-GD-JM:PUBLICITY_LENGTH:2024-07-26");
    }

    [Fact]
    public void Working_day_publicity_counts_official_working_days()
    {
        var window = PublicityWindow.Open(D("2025-09-26"), 3, PublicityUnit.WorkingDays, PolicySeed.Calendar).Value;
        Assert.Equal(D("2025-09-29"), window.LastDay);
        Assert.Equal(ChinaStandardTime.StartOfDay(D("2025-09-30")), window.ConcludesAt);
    }

    [Fact]
    public void Publicity_outside_guangdong_has_no_default_and_is_refused() =>
        Assert.Equal(ReasonCodes.PolicyParameterMissing,
            PublicityWindow.Open(D("2025-09-30"), PolicySeed.Resolver, new RegionCode("CN-HN"), PolicySeed.Calendar).Refusal!.Code);
}
