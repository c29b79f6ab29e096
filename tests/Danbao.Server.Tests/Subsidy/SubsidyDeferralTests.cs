using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// A partial payment defers subsidy, never forfeits it (policy.md §5): a period is claimed in the quarter
/// in which its interest was completed, and only overdue days earn nothing. §9 loan: 200,000 at 3.50%,
/// disbursed 2025-06-20, interest due on the 20th of Mar/Jun/Sep/Dec; the 2025-09-20 interest is 1,788.89.
/// </summary>
public sealed class SubsidyDeferralTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_partial_payment_on_the_due_date_completed_20_days_later_earns_904_17_the_same_as_paying_nothing_until_then()
    {
        var steps = new SubsidySteps(server);
        var partial = await steps.Disbursed();
        var nothing = await steps.Disbursed();
        // 1,000.00 of 1,788.89 on the due date; the rest (788.89) with the 20 days' interest (388.89) on 10-10.
        Assert.Equal(100_000, (await steps.Loans.Repay(partial, 100_000, "2025-09-20")).InterestFen);
        Assert.Equal(117_778, (await steps.Loans.Repay(partial, 117_778, "2025-10-10")).InterestFen);
        // The other borrower pays nothing until 10-10, then everything: 2,177.78.
        Assert.Equal(217_778, (await steps.Loans.Repay(nothing, 217_778, "2025-10-10")).InterestFen);

        // Q3: the partly paid period completes nothing: no Q3 subsidy yet (deferred, not lost).
        steps.Today("2025-10-12");
        var q3 = await steps.Open("2025-Q3");
        var deferred = Assert.Single((await steps.File(q3, (partial, 100_000, 50_000))).Lines);
        Assert.Equal((SubsidyLineFlag.SubsidyLineNotPayable, "INTEREST_NOT_PAID"), (deferred.Flag, deferred.NotPayableReason));
        Assert.Contains("deferred", deferred.Message, StringComparison.Ordinal);

        // Q4: both lines cover [06-20, 10-10): 112 days, 19 overdue (09-21 … 10-09), 93 × 200,000 × 1.75% / 360 = 904.17.
        steps.Today("2026-01-05");
        var q4 = await steps.Open("2025-Q4");
        var filed = await steps.File(q4, (partial, 217_778, 90_417), (nothing, 217_778, 90_417));
        foreach (var line in filed.Lines)
        {
            Assert.Equal(SubsidyLineFlag.SubsidyLineIneligibleDays, line.Flag);
            Assert.Equal(("2025-06-20", "2025-10-10", 112, 19), (line.PeriodStartDate, line.PeriodEndDate, line.Days, line.ExcludedDays));
            Assert.Equal((217_778L, 90_417L, 217_778L), (line.ExpectedInterestFen, line.ExpectedSubsidyFen, line.RecordedInterestPaidFen));
        }
        var claim = await steps.Review(await steps.Submit(filed.Claim), approveAll: true);
        Assert.Equal((2, 2 * 90_417L), (claim.LinesApproved, claim.ApprovedSubsidyFen));
        claim = await steps.Settle(claim, "2026-01-05");
        Assert.Equal(2 * 90_417L, claim.PaidSubsidyFen);
    }

    [Fact]
    public async Task Interest_completed_in_a_later_quarter_is_claimed_in_that_quarter_less_only_the_overdue_days()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        // Nothing on 09-20 nor 12-20; everything on 12-28: [06-20, 12-28) is 191 days, 3,713.89.
        Assert.Equal(371_389, (await steps.Loans.Repay(loan, 371_389, "2025-12-28")).InterestFen);
        steps.Today("2026-01-06");
        var claim = await steps.Open("2025-Q4");
        var line = Assert.Single((await steps.File(claim, (loan, 371_389, 90_417))).Lines);
        // Overdue 09-21 … 12-27 (98 days) earn nothing; 93 days do: 904.17.
        Assert.Equal(("2025-06-20", "2025-12-28", 191, 98), (line.PeriodStartDate, line.PeriodEndDate, line.Days, line.ExcludedDays));
        Assert.Equal((371_389L, 90_417L), (line.ExpectedInterestFen, line.ExpectedSubsidyFen));
    }

    [Fact]
    public async Task A_period_never_completed_is_never_payable()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 100_000, "2025-09-20");
        steps.Today("2025-10-13");
        var q3 = Assert.Single((await steps.File(await steps.Open("2025-Q3"), (loan, 100_000, 50_000))).Lines);
        steps.Today("2026-01-07");
        var q4 = Assert.Single((await steps.File(await steps.Open("2025-Q4"), (loan, 100_000, 50_000))).Lines);
        foreach (var line in new[] { q3, q4 })
        {
            Assert.Equal((SubsidyLineFlag.SubsidyLineNotPayable, "INTEREST_NOT_PAID", SubsidyLineDecision.SubsidyLineRejected, 0L),
                (line.Flag, line.NotPayableReason, line.Decision, line.ExpectedSubsidyFen));
        }
        Assert.Contains("completes no period", q3.Message, StringComparison.Ordinal);
        Assert.Contains("no interest was paid", q4.Message, StringComparison.Ordinal);
    }
}
