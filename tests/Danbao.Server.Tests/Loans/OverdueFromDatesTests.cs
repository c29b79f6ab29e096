using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Fund;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Loans;

/// <summary>
/// Overdue is a fact of the schedule and the repayments, never of a batch (policy.md §5). The loan:
/// 200,000 at 3.50%, bullet, disbursed 2025-06-20; the first interest (06-20 … 09-20, 92 days) is
/// 200,000 × 3.50% × 92 / 360 = 1,788.89, due 2025-09-20. No test here runs the batch.
/// </summary>
public sealed class OverdueFromDatesTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private void Today(int year, int month, int day) =>
        server.Clock.Set(new DateTimeOffset(year, month, day, 10, 0, 0, TimeSpan.FromHours(8)));

    [Fact]
    public async Task GetLoan_states_overdue_days_and_arrears_from_the_dates_without_any_batch()
    {
        Today(2025, 10, 1);
        var steps = new FundSteps(server);
        var loan = await steps.Disbursed();
        var read = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        // Overdue from 09-21; on 10-01 that is the 11th day; arrears are the unpaid first interest.
        Assert.Equal((11, "2025-09-21", 1_788_89L, 0L), (read.OverdueDays, read.OverdueSinceDate, read.InterestArrearsFen, read.PrincipalArrearsFen));
    }

    [Fact]
    public async Task A_late_partial_payment_marks_the_loan_overdue_from_the_missed_due_date_and_paying_the_arrears_cures_it()
    {
        Today(2025, 10, 10);
        var steps = new FundSteps(server);
        var loan = await steps.Disbursed();
        var partial = await steps.Loans.Repay(loan, 1_000_00, "2025-10-03");
        Assert.Equal((LoanState.Overdue, "2025-09-21"), (partial.Loan.State, partial.Loan.OverdueSinceDate));
        var rest = await steps.Loans.Repay(loan, 5_000_00, "2025-10-05");
        Assert.Equal((LoanState.Current, 0), (rest.Loan.State, rest.Loan.OverdueDays));
        Assert.Equal(0L, rest.Loan.InterestArrearsFen);
    }

    [Fact]
    public async Task A_loan_200_days_late_that_no_batch_marked_can_be_claimed()
    {
        // 2025-09-21 is the 1st overdue day; 2026-04-08 is the 200th.
        Today(2026, 4, 8);
        var steps = new FundSteps(server);
        var loan = await steps.Disbursed();
        Assert.Equal(LoanState.Current, loan.State);
        var claim = await steps.File(loan, claimDate: "2026-04-08");
        Assert.Equal(200, claim.OverdueDays);
        var read = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(LoanState.Claimed, read.State);
    }

    [Fact]
    public async Task An_overdue_loan_can_be_extended_and_its_arrears_stay_due()
    {
        Today(2025, 10, 10);
        var steps = new FundSteps(server);
        var loan = (await steps.Loans.Repay(await steps.Disbursed(), 1_000_00, "2025-10-03")).Loan;
        Assert.Equal(LoanState.Overdue, loan.State);
        var extended = await steps.Bank.Loans.ExtendLoanAsync(new ExtendLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Months = 12, BusinessDate = "2025-10-10",
        });
        // Only what falls due at maturity moves; the missed interest is still due and the loan still overdue.
        Assert.Equal((LoanState.Overdue, 1, "2028-06-20"), (extended.State, extended.Extensions, extended.MaturityDate));
        Assert.Equal((20, "2025-09-21"), (extended.OverdueDays, extended.OverdueSinceDate));
        // 1,788.89 fell due on 09-20; 1,000.00 of it was paid on 10-03.
        Assert.Equal(788_89L, extended.InterestArrearsFen);
    }
}
