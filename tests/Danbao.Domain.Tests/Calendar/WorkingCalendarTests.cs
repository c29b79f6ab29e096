using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class WorkingCalendarTests
{
    private static readonly WorkingCalendar Calendar = PolicySeed.Calendar;

    [Fact]
    public void Three_working_days_starting_friday_2025_09_26_end_monday_2025_09_29() =>
        Assert.Equal(D("2025-09-29"), Calendar.LastOfWorkingDays(D("2025-09-26"), 3).Value);

    [Fact]
    public void Ten_working_days_after_monday_2025_09_29_is_2025_10_20() =>
        Assert.Equal(D("2025-10-20"), Calendar.AddWorkingDays(D("2025-09-29"), 10).Value);

    [Theory]
    [InlineData("2025-09-28", true)]  // Sunday make-up day
    [InlineData("2025-10-11", true)]  // Saturday make-up day
    [InlineData("2025-10-08", false)] // National Day holiday, a Wednesday
    [InlineData("2025-09-27", false)] // ordinary Saturday
    [InlineData("2025-09-30", true)]  // ordinary Tuesday
    [InlineData("2022-12-31", false)] // would need the 2022 table: see below
    public void Working_days_follow_the_official_calendar(string date, bool working)
    {
        var result = Calendar.IsWorkingDay(D(date));
        if (D(date).Year == 2022)
            Assert.Equal(ReasonCodes.CalendarYearNotLoaded, result.Refusal!.Code);
        else
            Assert.Equal(working, result.Value);
    }

    [Fact]
    public void A_computation_reaching_a_year_without_a_table_is_refused()
    {
        var result = Calendar.AddWorkingDays(D("2026-12-28"), 10);
        Assert.False(result.IsOk);
        Assert.Equal(ReasonCodes.CalendarYearNotLoaded, result.Refusal!.Code);
        Assert.Contains("2027", result.Refusal.Message);
    }

    [Fact]
    public void Reporting_deadline_of_ten_working_days_uses_the_calendar()
    {
        var policy = PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-09-29"));
        Assert.Equal(D("2025-10-20"), ReportingDeadline.LastDay(D("2025-09-29"), policy, Calendar).Value);
        Assert.Equal("CN:REPORTING_DEADLINE_WORKING_DAYS:2020-01-01", Assert.Single(policy.Used).Id);
    }
}
