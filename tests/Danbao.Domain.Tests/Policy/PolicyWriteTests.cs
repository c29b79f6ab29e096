using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class PolicyWriteTests
{
    [Fact]
    public void A_new_policy_version_is_validated_against_the_catalog()
    {
        var ok = PolicyVersion.TryCreate("RATE_SPREAD_BP", "CN-HN", D("2026-01-01"), "150", "central/western +150BP").Value;
        Assert.Equal("CN-HN:RATE_SPREAD_BP:2026-01-01", ok.Id);
        Assert.Equal(ReasonCodes.UnknownPolicyParameter, PolicyVersion.TryCreate("NOPE", "CN", D("2026-01-01"), "1", "x").Refusal!.Code);
        Assert.Equal(ReasonCodes.RegionCodeInvalid, PolicyVersion.TryCreate("RATE_SPREAD_BP", "GD", D("2026-01-01"), "1", "x").Refusal!.Code);
        Assert.Equal(ReasonCodes.PolicyValueInvalid, PolicyVersion.TryCreate("PUBLICITY_UNIT", "CN", D("2026-01-01"), "HOURS", "x").Refusal!.Code);
        Assert.Equal(ReasonCodes.PolicyValueInvalid, PolicyVersion.TryCreate("INDIVIDUAL_LOAN_CAP", "CN", D("2026-01-01"), "300,000", "x").Refusal!.Code);
    }

    [Fact]
    public void A_version_duplicating_an_existing_date_is_refused_history_is_append_only()
    {
        var dup = PolicyVersion.TryCreate("INDIVIDUAL_LOAN_CAP", "CN", D("2023-10-01"), "350000.00", "x").Value;
        Assert.Equal(ReasonCodes.PolicyVersionExists, PolicySeed.Resolver.CheckNew(dup).Refusal!.Code);
        var later = PolicyVersion.TryCreate("INDIVIDUAL_LOAN_CAP", "CN", D("2026-10-01"), "350000.00", "x").Value;
        Assert.True(PolicySeed.Resolver.CheckNew(later).IsOk);
    }

    [Fact]
    public void A_new_lpr_must_be_dated_after_the_latest()
    {
        Assert.Equal(ReasonCodes.LprNotAfterLatest, PolicySeed.Lpr.CheckNew(new LprEntry(D("2025-05-20"), Rate.FromBp(290), "x")).Refusal!.Code);
        Assert.True(PolicySeed.Lpr.CheckNew(new LprEntry(D("2026-01-20"), Rate.FromBp(290), "x")).IsOk);
    }

    [Fact]
    public void Loading_a_year_table_checks_its_days()
    {
        var ok = CalendarYearTable.Build(2027, [D("2027-01-01"), D("2026-12-31")], [D("2027-02-06")]);
        Assert.True(ok.IsOk, ok.Refusal?.ToString());
        Assert.Equal(3, ok.Value.Count);
        Assert.Equal(ReasonCodes.CalendarTableInvalid, CalendarYearTable.Build(2027, [D("2027-01-01")], [D("2027-01-01")]).Refusal!.Code);
        Assert.Equal(ReasonCodes.CalendarTableInvalid, CalendarYearTable.Build(2027, [], [D("2027-02-08")]).Refusal!.Code); // a Monday
        var calendar = new WorkingCalendar(PolicySeed.CalendarYears.Append(2027), ok.Value);
        Assert.False(calendar.IsWorkingDay(D("2027-01-01")).Value);
        Assert.True(calendar.IsWorkingDay(D("2027-02-06")).Value);
    }
}
