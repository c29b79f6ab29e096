using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>
/// policy.md §5 "a partial payment never forfeits subsidy": a period is claimable in the quarter its interest
/// is paid in full; only overdue and extension days earn nothing. §9 setup: 200,000 at 3.50% (V3, s = 1.75%),
/// disbursed 2025-06-20, interest due 2025-09-20 for [06-20, 09-20) = 92 days = 1,788.89 (example 2).
/// </summary>
public class SubsidyDeferralTests
{
    private static readonly LoanData Loan = new()
    {
        Id = "L0TEST00000002",
        Region = RegionCode.Guangzhou,
        BorrowerType = BorrowerType.Individual,
        Amount = Examples.Principal,
        TermMonths = 24,
        ContractRate = Examples.ContractRate,
        RepaymentMethod = RepaymentMethod.Bullet,
        ContractDate = Examples.ContractDate,
        State = LoanState.Current,
        DisbursementDate = D("2025-06-20"),
        MaturityDate = D("2027-06-20"),
    };

    /// <summary>Due 09-20, arrears paid in full on 10-10: overdue 09-21 … 10-09 (19 days), the loan aggregate's fact, given as input.</summary>
    private static readonly SubsidyExclusion[] OverdueUntil1010 = [new(Range("2025-09-21", "2025-10-10"), SubsidyExclusionReason.Overdue)];

    private static ClaimLineVerdict Line(string quarter, SubsidyExclusion[] overdue, params RecordedRepayment[] rows) =>
        ClaimLineCheck.Check("icbc-gz", ClaimQuarter.Parse(quarter).Value, new ClaimLineInput(Loan.Id, Money.Zero, Money.Zero),
            Loan, "icbc-gz", rows, overdue, PolicySeed.Resolver, PolicySeed.Lpr);

    private static RecordedRepayment Interest(string paidOn, string fen, string from) => new(D(paidOn), Yuan(fen), Money.Zero, D(from));

    [Fact]
    public void The_loan_charges_the_rows_the_tests_use()
    {
        // The repayment rows below are the ones the loan aggregate itself records.
        var loan = Domain.Loans.Loan.Rehydrate(Loan with { OutstandingPrincipal = Examples.Principal, InterestPaidToDate = D("2025-06-20") });
        Assert.Equal(Yuan("1000.00"), loan.RecordRepayment(D("2025-09-20"), Yuan("1000.00")).Value.Interest);
        // 788.89 still unpaid + [09-20, 10-10) 20 days: 200,000 × 3.50% × 20/360 = 388.888… → 388.89.
        Assert.Equal(Yuan("1177.78"), loan.InterestDueOn(D("2025-10-10")));
        // ...yet the loan's paid-to date already moved to 09-20: that is why "paid to" cannot be read from it.
        Assert.Equal(D("2025-09-20"), loan.Data.InterestPaidToDate);
    }

    [Fact]
    public void Paying_nothing_until_10_10_earns_904_17_in_the_quarter_it_is_paid()
    {
        // [06-20, 10-10) = 112 days, 19 overdue → 93 subsidised days: 200,000 × 1.75% × 93/360 = 904.1666… → 904.17.
        var q4 = Line("2025-Q4", OverdueUntil1010, Interest("2025-10-10", "2177.78", "2025-06-20"));
        Assert.Equal((ClaimLineFlag.IneligibleDays, 112, 19), (q4.Flag, q4.Days, q4.ExcludedDays));
        Assert.Equal(Yuan("904.17"), q4.ExpectedSubsidy);
        Assert.Equal(Yuan("2177.78"), q4.ExpectedInterest);
        Assert.Equal(SubsidyReasons.InterestNotPaid, Line("2025-Q3", OverdueUntil1010, Interest("2025-10-10", "2177.78", "2025-06-20")).NotPayableReason);
    }

    [Fact]
    public void Partial_payment_on_the_due_date_completed_20_days_later_earns_904_17_not_9_72()
    {
        // 1,000.00 of 1,788.89 on 09-20, the rest with the 20 days' interest (1,177.78) on 10-10.
        // Before: the Q4 line covered only [09-20, 10-10) (the second row's interest_from … paid_on), whose
        // 19 overdue days left 1 day: 200,000 × 1.75% × 1/360 = 9.72, and Q3 was NOT_PAYABLE for ever.
        // Policy: [06-20, 09-20) is completed on 10-10, so Q4 claims [06-20, 10-10): 112 days − 19 overdue
        // = 93 days → 904.17, exactly what paying nothing until 10-10 earns (the overdue days are the same).
        var rows = new[] { Interest("2025-09-20", "1000.00", "2025-06-20"), Interest("2025-10-10", "1177.78", "2025-09-20") };
        var q3 = Line("2025-Q3", OverdueUntil1010, rows);
        Assert.Equal(SubsidyReasons.InterestNotPaid, q3.NotPayableReason);
        Assert.Contains("deferred", q3.Message, StringComparison.Ordinal);
        var q4 = Line("2025-Q4", OverdueUntil1010, rows);
        Assert.Equal(Range("2025-06-20", "2025-10-10"), q4.Period);
        Assert.Equal((112, 19), (q4.Days, q4.ExcludedDays));
        Assert.Equal(Yuan("904.17"), q4.ExpectedSubsidy);
        Assert.Equal(Yuan("2177.78"), q4.RecordedInterest); // 1,788.89 + 388.89: the interest of the completed period
    }

    [Fact]
    public void Completing_only_the_due_quarter_claims_its_92_days_and_defers_the_rest()
    {
        // 1,000.00 on 09-20, then exactly the 788.89 left of it on 10-10: [06-20, 09-20) is paid in full (example 3:
        // 894.44, none of its days overdue); [09-20, 10-10)'s 388.89 is still unpaid, so it waits.
        var rows = new[] { Interest("2025-09-20", "1000.00", "2025-06-20"), Interest("2025-10-10", "788.89", "2025-09-20") };
        var q4 = Line("2025-Q4", OverdueUntil1010, rows);
        Assert.Equal(Range("2025-06-20", "2025-09-20"), q4.Period);
        Assert.Equal((0, Yuan("894.44")), (q4.ExcludedDays, q4.ExpectedSubsidy));
        // 12-20: the 388.89 plus [10-10, 12-20) 71 days (1,380.56) completes [09-20, 12-20) in the same quarter;
        // the Q4 line then covers [06-20, 12-20): 183 days − 19 overdue = 164 × 200,000 × 1.75% / 360 = 1,594.44.
        var later = rows.Append(Interest("2025-12-20", "1769.45", "2025-10-10")).ToArray();
        var full = Line("2025-Q4", OverdueUntil1010, later);
        Assert.Equal((Range("2025-06-20", "2025-12-20"), Yuan("1594.44")), (full.Period!.Value, full.ExpectedSubsidy));
    }

    [Fact]
    public void A_period_never_completed_is_never_payable_but_nothing_is_lost_until_it_is()
    {
        var rows = new[] { Interest("2025-09-20", "1000.00", "2025-06-20") };
        var overdue = new[] { new SubsidyExclusion(Range("2025-09-21", "2026-06-30"), SubsidyExclusionReason.Overdue) };
        foreach (var quarter in new[] { "2025-Q3", "2025-Q4", "2026-Q1" })
            Assert.Equal(SubsidyReasons.InterestNotPaid, Line(quarter, overdue, rows).NotPayableReason);
    }

    [Fact]
    public void Paying_part_on_the_due_date_never_earns_less_than_paying_nothing_until_the_same_day() =>
        Prop.ForAll(
            (from partFen in Gen.Choose(1, 178_888)
             from lateDays in Gen.Choose(1, 100)
             select (partFen, lateDays)).ToArbitrary(),
            t =>
            {
                var due = D("2025-09-20");
                var completed = due.AddDays(t.lateDays);
                var overdue = new[] { new SubsidyExclusion(new DateRange(due.AddDays(1), completed), SubsidyExclusionReason.Overdue) };
                var owed = Yuan("1788.89") + InterestCalculator.Accrue(Examples.Principal, Examples.ContractRate, new DateRange(due, completed)).Rounded;
                var part = Money.FromFen(t.partFen);
                RecordedRepayment[] partial = [new(due, part, Money.Zero, D("2025-06-20")), new(completed, owed - part, Money.Zero, due)];
                RecordedRepayment[] nothing = [new(completed, owed, Money.Zero, D("2025-06-20"))];
                Money Earned(RecordedRepayment[] rows) => Money.Sum(new[] { "2025-Q3", "2025-Q4" }
                    .Select(q => Line(q, overdue, rows)).Select(v => v.Flag == ClaimLineFlag.NotPayable ? Money.Zero : v.ExpectedSubsidy));
                // Both earn exactly the non-overdue days of [06-20, completed): 92 + 1 days.
                var expected = Rounding.HalfUpToFen(DayCount.ToFen(DayCount.Numerator(Examples.Principal, Rate.FromPercent(1.75m), 93)));
                return Earned(partial) >= Earned(nothing) && Earned(nothing) == expected;
            }).QuickCheckThrowOnFailure();
}
