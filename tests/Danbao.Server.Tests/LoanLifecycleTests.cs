using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>A guarantee loan from submission to settlement through the API (policy.md §4, §9 examples 1–2).</summary>
public sealed class LoanLifecycleTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Guangzhou_individual_loan_goes_from_submission_to_settlement_with_exact_interest()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Submit();
        Assert.Equal(LoanState.Submitted, loan.State);
        Assert.Equal(20_000_000, loan.AmountFen);
        // Example 1: the rate cap 3.00% + 0.50% = 3.50% came from the LPR and Guangdong's spread.
        Assert.Contains(loan.PolicyVersions, v => v.Parameter == "RATE_SPREAD_BP" && v.Region == "CN-GD" && v.Value == "50");

        loan = await steps.Review(loan);
        Assert.Equal(LoanState.Publicity, loan.State);
        Assert.Equal("2025-06-04", loan.PublicityEndDate);
        loan = await steps.Conclude(loan, "2025-06-05");
        Assert.Equal(LoanState.DueDiligence, loan.State);
        loan = await steps.DueDiligence(loan);
        Assert.True(loan.BankDueDiligence && loan.FundDueDiligence);
        loan = await steps.Approve(loan);
        Assert.Equal(LoanState.Approved, loan.State);
        loan = await steps.Guarantee(loan);
        Assert.Equal(LoanState.Guaranteed, loan.State);
        Assert.Equal(8000, loan.FundRiskShareBp);
        loan = await steps.Disburse(loan);
        Assert.Equal(LoanState.Current, loan.State);
        Assert.Equal("2027-06-20", loan.MaturityDate);

        // Example 2: 200,000 × 3.50% × 92/360 = 1,788.89 for the 92-day first quarter.
        var schedule = await steps.Bank.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = loan.Name });
        Assert.Equal("2025-09-20", schedule.Instalments[0].DueDate);
        Assert.Equal(178_889, schedule.Instalments[0].InterestDueFen);

        // Example 2: over 730 days the interest is 14,194.44; paying it with the principal settles the loan.
        var settlement = await steps.Repay(loan, 20_000_000 + 1_419_444, "2027-06-20");
        Assert.Equal(1_419_444, settlement.InterestFen);
        Assert.Equal(20_000_000, settlement.PrincipalFen);
        Assert.True(settlement.Settled);
        Assert.Equal(LoanState.Settled, settlement.Loan.State);
        Assert.Equal(0, settlement.Loan.OutstandingPrincipalFen);

        var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
        Assert.Equal(
            ["loan.submitted", "loan.eligibility_reviewed", "loan.publicity_concluded", "loan.due_diligence_passed", "loan.due_diligence_passed",
             "loan.approved", "loan.guaranteed", "loan.disbursed", "loan.repayment_recorded"],
            events.Events.Select(e => e.Action));
        Assert.Equal(["", "SUBMITTED", "PUBLICITY", "DUE_DILIGENCE", "DUE_DILIGENCE", "DUE_DILIGENCE", "APPROVED", "GUARANTEED", "CURRENT"],
            events.Events.Select(e => e.BeforeState));
        Assert.Equal("institutions/gz-hrss", events.Events[1].ActorInstitution);
        Assert.Equal("EMPLOYMENT_SERVICE", events.Events[1].ActorRole);
    }

    [Fact]
    public async Task A_quarterly_interest_payment_is_all_interest_and_keeps_the_loan_current()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var paid = await steps.Repay(loan, 178_889, "2025-09-20");
        Assert.Equal(178_889, paid.InterestFen);
        Assert.Equal(0, paid.PrincipalFen);
        Assert.False(paid.Settled);
        Assert.Equal(LoanState.Current, paid.Loan.State);
        Assert.Equal("2025-09-20", paid.Loan.InterestPaidToDate);
    }

    [Fact]
    public async Task A_repayment_retried_with_its_request_id_is_recorded_once_and_answers_the_same()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var request = new RecordRepaymentRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, AmountFen = 178_889, PaidDate = "2025-09-20" };
        var first = await steps.Bank.Loans.RecordRepaymentAsync(request);
        var again = await steps.Bank.Loans.RecordRepaymentAsync(request);
        Assert.Equal(first, again);
        var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
        Assert.Single(events.Events, e => e.Action == "loan.repayment_recorded");

        request.AmountFen = 100;
        var reused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.RecordRepaymentAsync(request));
        Assert.Equal(StatusCode.AlreadyExists, reused.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", reused.Reason());
    }

    [Fact]
    public async Task Batch_marks_a_loan_overdue_the_day_after_a_missed_payment_and_a_late_payment_cures_it()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var admin = server.As("admin");
        await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-09-20" });
        Assert.Equal(LoanState.Current, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);

        var run = await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-09-21" });
        Assert.True(run.LoansMarkedOverdue >= 1);
        var overdue = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(LoanState.Overdue, overdue.State);

        // Paid 12 days late: the interest to that day, and the arrears are cleared.
        var paid = await steps.Repay(loan, 178_889 + 23_333, "2025-10-02");
        Assert.Equal(LoanState.Current, paid.Loan.State);
    }

    [Fact]
    public async Task Withdrawing_a_guaranteed_loan_releases_its_guarantee()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Guarantee(await steps.Approved());
        var fund = server.As("gz-fund");
        var before = await fund.Fund.GetFundOverviewAsync(new GetFundOverviewRequest());
        loan = await steps.Bank.Loans.RejectLoanAsync(new RejectLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Withdraw = true, Reason = "borrower declined the loan",
        });
        Assert.Equal(LoanState.Withdrawn, loan.State);
        var after = await fund.Fund.GetFundOverviewAsync(new GetFundOverviewRequest());
        Assert.Equal(before.OutstandingGuaranteesFen - loan.AmountFen, after.OutstandingGuaranteesFen);
    }
}
