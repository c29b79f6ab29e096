using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Loans;

/// <summary>publicity_end_date is shown in both units (policy.md §4): the last day of the publicity, inclusive.</summary>
public sealed class PublicityEndDateTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Publicity_end_date_is_shown_for_calendar_days_and_for_working_days()
    {
        var gz = new LoanSteps(server);
        // Guangzhou: 3 calendar days from 2025-06-02 → 06-02, 06-03, 06-04.
        Assert.Equal("2025-06-04", (await gz.Review(await gz.Submit())).PublicityEndDate);

        var admin = server.As("admin");
        await admin.Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Version = new PolicyVersion { Parameter = "PUBLICITY_UNIT", Region = "CN-GD-JM", EffectiveFromDate = "2027-07-01", Value = "WORKING_DAYS", Source = "test" },
        });
        await admin.Policy.LoadCalendarYearAsync(new LoadCalendarYearRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Calendar = new CalendarYear { Year = 2027, DaysOff = { "2027-01-01" } },
        });
        // Jiangmen, 3 working days from Thursday 2027-07-01: 07-01, 07-02, Monday 07-05.
        var jm = new LoanSteps(server, bank: "jmrcb", hrss: "jm-hrss", fund: "jm-fund");
        var loan = await jm.Review(await jm.Submit(LoanSteps.Individual(region: "CN-GD-JM")), publicityStart: "2027-07-01");
        Assert.Equal("2027-07-05", loan.PublicityEndDate);
    }
}
