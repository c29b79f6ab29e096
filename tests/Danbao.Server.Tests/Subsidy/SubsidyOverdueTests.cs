using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>No subsidy on overdue days (policy.md §5). Own class: the batch marks every loan of the region.</summary>
public sealed class SubsidyOverdueTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_loan_overdue_12_days_inside_a_quarter_loses_exactly_those_12_days()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        // The 2025-09-20 interest is missed: overdue from 2025-09-21 …
        steps.Today("2025-09-22");
        var batch = await server.As("gz-fund").Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-09-22" });
        Assert.Equal(1, batch.LoansMarkedOverdue);
        // … until it is paid on 2025-10-03: interest 2025-06-20 … 2025-10-03, 105 days = 2,041.67.
        steps.Today("2025-10-03");
        var paid = await steps.Loans.Repay(loan, 204_167, "2025-10-03");
        Assert.Equal(204_167, paid.InterestFen);
        Assert.Equal(LoanState.Current, paid.Loan.State);

        steps.Today("2026-01-05");
        var claim = await steps.Open("2025-Q4");
        var line = Assert.Single((await steps.File(claim, (loan, 204_167, 91_875))).Lines);
        Assert.Equal(SubsidyLineFlag.SubsidyLineIneligibleDays, line.Flag);
        Assert.Equal((105, 12), (line.Days, line.ExcludedDays));
        // Interest on all 105 days; subsidy on 93: 200,000 × 1.75% × 93/360 = 904.17 (not 1,020.83 for 105 days).
        Assert.Equal((204_167L, 90_417L), (line.ExpectedInterestFen, line.ExpectedSubsidyFen));

        var e = await steps.Explain(loan, "2025-06-20", "2025-10-03");
        var overdue = Assert.Single(e.Segments, s => !s.Subsidised);
        Assert.Equal(("2025-09-21", "2025-10-03", 12, "OVERDUE"), (overdue.StartDate, overdue.EndDate, overdue.Days, overdue.ExcludedBecause));
        Assert.Equal((204_167L, 90_417L, 113_750L), (e.InterestFen, e.SubsidyFen, e.BorrowerShareFen));

        // Approving the line pays the expected figure, not the 918.75 asked.
        claim = await steps.Submit(await steps.Bank.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name }));
        claim = await steps.Review(claim, approveAll: true);
        Assert.Equal(90_417, claim.ApprovedSubsidyFen);
    }
}
