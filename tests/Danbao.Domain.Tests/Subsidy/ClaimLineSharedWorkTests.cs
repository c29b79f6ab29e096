using System.Collections.ObjectModel;
using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>
/// What a claim line's check shares or narrows for speed gives the figures of the full computation: the overdue days
/// derived for the line's period alone, and a repayment plan shared by loans with the same terms.
/// </summary>
public class ClaimLineSharedWorkTests
{
    private static readonly DateOnly Disbursed = RepaymentReplay.Disbursed;


    [Fact]
    public void A_lines_verdict_with_overdue_days_of_its_period_alone_equals_the_one_from_the_loans_whole_history() =>
        Prop.ForAll(
            (from payments in Gen.ListOf(Gen.Zip(Gen.Choose(0, 500), Gen.Choose(1, 40_000))).Select(l => l.Take(12).ToArray())
             from quarter in Gen.Elements("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
             from claimed in Gen.Choose(0, 3_000)
             select (payments, quarter, claimed)).ToArbitrary(),
            t =>
            {
                var (loan, rows) = RepaymentReplay.Of(t.payments);
                var quarter = ClaimQuarter.Parse(t.quarter).Value;
                var line = new ClaimLineInput(loan.Id, Money.FromWholeYuan(t.claimed), Money.FromWholeYuan(t.claimed / 2));
                var known = rows.Where(r => r.PaidOn < quarter.End).ToArray();
                // As the check was: every overdue range from disbursement to the quarter's end, cut to the period after.
                var whole = loan.SubsidyExclusions(new DateRange(Disbursed, quarter.End), known);
                var before = ClaimLineCheck.Check("icbc-gz", quarter, line, loan.Data, "icbc-gz", known, whole, PolicySeed.Resolver, PolicySeed.Lpr);
                var now = ClaimLineCheck.Check("icbc-gz", quarter, line, loan, "icbc-gz", rows, PolicySeed.Resolver, PolicySeed.Lpr);
                return now == before;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Loans_with_different_terms_never_share_a_plan()
    {
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10").Data;
        var variants = new[]
        {
            loan,
            loan with { TermMonths = loan.TermMonths + 12 },
            loan with { Amount = loan.Amount + Money.FromFen(1) },
            loan with { ContractRate = Rate.FromBp(351m) },
            loan with { DisbursementDate = D("2025-06-11") },
            loan with { RepaymentMethod = RepaymentMethod.Bullet },
            loan with { ExtendedFromDate = loan.MaturityDate, MaturityDate = loan.MaturityDate!.Value.AddMonths(12) },
        };
        var plans = variants.Select(LoanPlan.Of).ToArray();
        for (var i = 0; i < plans.Length; i++)
        {
            for (var j = i + 1; j < plans.Length; j++)
            {
                Assert.NotSame(plans[i], plans[j]);
                Assert.NotEqual(plans[i], plans[j]);
            }
        }
    }

    [Fact]
    public void Loans_with_the_same_terms_share_one_read_only_plan_equal_to_the_schedule()
    {
        var a = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10").Data;
        // Another loan, borrower and state, the same terms; a maturity moved without an extension does not change the plan.
        var b = a with { Id = "L0000000000002", Region = RegionCode.Guangdong, State = LoanState.Overdue, MaturityDate = a.MaturityDate!.Value.AddDays(1) };
        var plan = LoanPlan.Of(a);
        Assert.Same(plan, LoanPlan.Of(b));
        Assert.Equal(RepaymentSchedule.Build(a.RepaymentMethod, a.Amount, a.ContractRate, a.DisbursementDate!.Value, a.TermMonths), plan);
        Assert.IsType<ReadOnlyCollection<ScheduledPayment>>(plan);
    }

    [Fact]
    public void A_full_plan_cache_starts_over_and_still_gives_each_loan_its_own_plan()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10").Data;
        for (var k = 1; k <= LoanPlan.PlansKeptMax + 10; k++)
        {
            var other = loan with { Amount = Money.FromFen(1_000_000 + k) };
            var plan = LoanPlan.Of(other);
            if (k % 997 == 0 || k > LoanPlan.PlansKeptMax - 2)
                Assert.Equal(RepaymentSchedule.Build(other.RepaymentMethod, other.Amount, other.ContractRate, other.DisbursementDate!.Value, other.TermMonths), plan);
        }
    }
}
