using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Policy parameters are data: versioned by region and date, readable by all, changed only by admin/finance, audited.</summary>
public sealed class PolicyTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task The_most_specific_region_in_force_on_the_date_governs()
    {
        var bank = server.As("icbc-gz");
        var resolved = await bank.Policy.ResolvePolicyAsync(new ResolvePolicyRequest
        {
            Region = "CN-GD-GZ", Date = "2025-06-01", Parameters = { "INDIVIDUAL_LOAN_CAP", "RATE_SPREAD_BP", "RISK_SHARE_FUND_HK_MACAU_YOUTH_BP" },
        });
        var byKey = resolved.Values.ToDictionary(v => v.Parameter);
        Assert.Equal(("CN", "2023-10-01", "300000.00"), (byKey["INDIVIDUAL_LOAN_CAP"].Region, byKey["INDIVIDUAL_LOAN_CAP"].EffectiveFromDate, byKey["INDIVIDUAL_LOAN_CAP"].Value));
        Assert.Equal(("CN-GD", "50"), (byKey["RATE_SPREAD_BP"].Region, byKey["RATE_SPREAD_BP"].Value));
        Assert.Equal(("CN-GD-GZ", "9000"), (byKey["RISK_SHARE_FUND_HK_MACAU_YOUTH_BP"].Region, byKey["RISK_SHARE_FUND_HK_MACAU_YOUTH_BP"].Value));

        var before2023 = await bank.Policy.ResolvePolicyAsync(new ResolvePolicyRequest { Region = "CN-GD-GZ", Date = "2022-06-01", Parameters = { "INDIVIDUAL_LOAN_CAP" } });
        Assert.Equal("200000.00", before2023.Values.Single().Value);
    }

    [Fact]
    public async Task Only_admin_or_finance_may_add_a_version_and_it_is_audited_and_never_rewrites_history()
    {
        var version = new PolicyVersion
        {
            Parameter = "COUNTER_GUARANTEE_THRESHOLD", Region = "CN-GD-JM", EffectiveFromDate = "2027-07-01", Value = "150000.00", Source = "test: 江门 2026 notice",
        };
        var bankRefused = await Assert.ThrowsAsync<RpcException>(async () => await server.As("jmrcb").Policy.CreatePolicyVersionAsync(
            new CreatePolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Version = version }));
        Assert.Equal(StatusCode.PermissionDenied, bankRefused.StatusCode);

        var otherRegion = await Assert.ThrowsAsync<RpcException>(async () => await server.As("gz-finance").Policy.CreatePolicyVersionAsync(
            new CreatePolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Version = version }));
        Assert.Equal("REGION_NOT_ALLOWED", otherRegion.Reason());

        var created = await server.As("jm-finance").Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Version = version });
        Assert.Equal("jm-finance", created.CreatedBy);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await server.As("admin").Policy.CreatePolicyVersionAsync(
            new CreatePolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Version = version }));
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);

        // The new threshold governs Jiangmen contracts from today (2027-07-01); earlier contracts keep the old one.
        var jm = new LoanSteps(server, bank: "jmrcb", hrss: "jm-hrss", fund: "jm-fund");
        var newContract = LoanSteps.Individual(amountFen: 150_000_00, rateBp: 300, counterGuarantee: false, region: "CN-GD-JM");
        newContract.Loan.ContractDate = "2027-07-01";
        newContract.Loan.ApplicationDate = "2027-07-01";
        Assert.Equal(LoanState.Submitted, (await jm.Submit(newContract)).State);
        var oldContract = LoanSteps.Individual(amountFen: 150_000_00, counterGuarantee: false, region: "CN-GD-JM");
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await jm.Submit(oldContract));
        Assert.Equal("COUNTER_GUARANTEE_REQUIRED", refused.Reason());

        await using var dataSource = server.Database.CreateDataSource();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from audit_events where action = 'policy_version.created' and actor_institution = 'jm-finance'", conn);
        Assert.Equal(1L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_version_with_a_value_of_the_wrong_kind_is_refused_field_by_field()
    {
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await server.As("admin").Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Version = new PolicyVersion { Parameter = "PUBLICITY_UNIT", Region = "CN-XX-", EffectiveFromDate = "2026-13-01", Value = "FORTNIGHTS", Source = "" },
        }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal(["version.effective_from_date", "version.region", "version.source", "version.value"], bad.FieldViolations().Select(v => v.Field).Order().ToArray());
    }

    [Fact]
    public async Task Admin_publishes_a_new_lpr_and_the_rate_cap_follows_it_for_new_contracts()
    {
        var lpr = new LprRate { EffectiveFromDate = "2027-07-01", OneYearBp = 290, Source = "test: LPR 2027-07" };
        var bankRefused = await Assert.ThrowsAsync<RpcException>(async () => await server.As("icbc-gz").Policy.CreateLprRateAsync(new CreateLprRateRequest { RequestId = DanbaoClient.NewRequestId(), Rate = lpr }));
        Assert.Equal(StatusCode.PermissionDenied, bankRefused.StatusCode);
        await server.As("admin").Policy.CreateLprRateAsync(new CreateLprRateRequest { RequestId = DanbaoClient.NewRequestId(), Rate = lpr });
        var rates = await server.As("icbc-gz").Policy.ListLprRatesAsync(new ListLprRatesRequest());
        Assert.Equal(290, rates.Rates.Last().OneYearBp);

        // 2.90% + 0.50% = 3.40%: 3.45% is now above the cap for a contract after the change.
        var request = LoanSteps.Individual(rateBp: 345);
        request.Loan.ContractDate = "2027-07-01";
        request.Loan.ApplicationDate = "2027-07-01";
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new LoanSteps(server).Submit(request));
        Assert.Equal("RATE_ABOVE_CAP", refused.Reason());
        Assert.Equal(LoanState.Submitted, (await new LoanSteps(server).Submit(LoanSteps.Individual(rateBp: 345))).State);
    }

    [Fact]
    public async Task Working_day_publicity_in_a_year_without_a_calendar_is_refused_until_the_year_is_loaded()
    {
        var admin = server.As("admin");
        // Announced on 2026-12-31 for 2027 (versions take effect today or later), then back to the fixture's today.
        var today = server.Clock.GetUtcNow();
        server.Clock.Set(new DateTimeOffset(2026, 12, 31, 2, 0, 0, TimeSpan.Zero));
        try
        {
            await admin.Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Version = new PolicyVersion { Parameter = "PUBLICITY_UNIT", Region = "CN-GD-JM", EffectiveFromDate = "2027-01-01", Value = "WORKING_DAYS", Source = "test" },
            });
        }
        finally
        {
            server.Clock.Set(today);
        }
        var jm = new LoanSteps(server, bank: "jmrcb", hrss: "jm-hrss", fund: "jm-fund");
        var loan = await jm.Submit(LoanSteps.Individual(region: "CN-GD-JM"));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await jm.Review(loan, publicityStart: "2027-02-01"));
        Assert.Equal("CALENDAR_YEAR_NOT_LOADED", refused.Reason());

        await admin.Policy.LoadCalendarYearAsync(new LoadCalendarYearRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Calendar = new CalendarYear { Year = 2027, DaysOff = { "2027-01-01", "2027-02-05", "2027-02-08" }, MakeupWorkingDays = { "2027-02-06" } },
        });
        // Published Thursday 2027-02-04 for 3 working days: 04 (Thu), 06 (Sat, make-up), 09 (Tue).
        loan = await jm.Review(loan, publicityStart: "2027-02-04");
        var early = await Assert.ThrowsAsync<RpcException>(async () => await jm.Conclude(loan, "2027-02-09"));
        Assert.Equal("PUBLICITY_NOT_ENDED", early.Reason());
        Assert.Equal(LoanState.DueDiligence, (await jm.Conclude(loan, "2027-02-10")).State);
        var year = await admin.Policy.GetCalendarYearAsync(new GetCalendarYearRequest { Year = 2027 });
        Assert.Equal(["2027-02-06"], year.MakeupWorkingDays);
    }
}
