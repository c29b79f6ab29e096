using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>The programme's figures for a region and period (policy.md §8), as the employment service publishes them. Own fixture: exact totals.</summary>
public sealed class ProgrammeReportTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task The_report_counts_loans_approved_and_disbursed_in_the_period_and_the_subsidy_settled_in_it()
    {
        var steps = new SubsidySteps(server);
        // Two graduates' loans approved on 2025-06-25 (the bank's approval day) and disbursed on 2025-06-20 … 06-25.
        var h1 = new DateTimeOffset(2025, 6, 25, 2, 0, 0, TimeSpan.Zero);
        var a = await steps.Disbursed(amountFen: 200_000_00, disbursed: "2025-06-20", today: h1);
        await steps.Disbursed(amountFen: 150_000_00, disbursed: "2025-06-25", today: h1);
        server.Clock.Set(SubsidySteps.Now);
        await steps.Loans.Repay(a, 178_889, "2025-09-20");
        steps.Today("2025-10-10");
        var claim = (await steps.File(await steps.Open("2025-Q3"), (a, 178_889, 89_444))).Claim;
        await steps.Settle(await steps.Review(await steps.Submit(claim), approveAll: true), "2025-10-10");
        server.Clock.Set(SubsidySteps.Now);

        var hrss = server.As("gz-hrss");
        var first = await hrss.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Period = "2025-H1" });
        Assert.Equal(("CN-GD-GZ", "2025-01-01", "2025-07-01"), (first.Region, first.StartDate, first.EndDate));
        Assert.Equal((2L, 350_000_00L, 2L, 350_000_00L), (first.Loans.ApprovedLoans, first.Loans.ApprovedFen, first.Loans.DisbursedLoans, first.Loans.DisbursedFen));
        var individual = Assert.Single(first.ByBorrowerType);
        Assert.Equal(("INDIVIDUAL", 2L, 350_000_00L), (individual.Key, individual.DisbursedLoans, individual.DisbursedFen));
        var graduates = Assert.Single(first.ByKeyGroup);
        Assert.Equal(("GRADUATE", 2L, 350_000_00L), (graduates.Key, graduates.ApprovedLoans, graduates.ApprovedFen));
        Assert.Equal((0L, 0L), (first.SubsidyPaidFen, first.SubsidyLoans));

        var second = await server.As("gz-finance").Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = "2025-H2" });
        Assert.Equal((0L, 0L), (second.Loans.ApprovedLoans, second.Loans.DisbursedLoans));
        Assert.Equal((89_444L, 1L, 0L), (second.SubsidyPaidFen, second.SubsidyLoans, second.SubsidyClawedBackFen));
        Assert.Equal((0L, 0L, 0L), (second.CompensationClaims, second.CompensationPaidFen, second.Recoveries));
        var year = await hrss.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Period = "2025" });
        Assert.Equal((2L, 350_000_00L, 89_444L), (year.Loans.DisbursedLoans, year.Loans.DisbursedFen, year.SubsidyPaidFen));
    }

    [Fact]
    public async Task Only_the_regions_bodies_may_see_it_and_the_period_must_be_a_year_half_or_quarter()
    {
        var other = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.As("jm-hrss").Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = "2025-H1" }));
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        var bank = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.As("icbc-gz").Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Period = "2025-H1" }));
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);
        var bad = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.As("gz-hrss").Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Period = "2025-H3" }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains(bad.FieldViolations(), v => v.Field == "period");
    }
}
