using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class ClaimLineCheckTests
{
    private static Loan Disbursed(string on = "2025-06-20")
    {
        var loan = Loan.Rehydrate(new LoanData
        {
            Id = "L0TEST00000001",
            Region = RegionCode.Guangzhou,
            BorrowerType = BorrowerType.Individual,
            Amount = Examples.Principal,
            TermMonths = 24,
            ContractRate = Examples.ContractRate,
            RepaymentMethod = RepaymentMethod.Bullet,
            ContractDate = Examples.ContractDate,
            State = LoanState.Current,
            DisbursementDate = D(on),
            MaturityDate = D(on).AddMonths(24),
        });
        return loan;
    }

    private static ClaimLineVerdict Check(ClaimLineInput line, Loan? loan, string? bank, params RecordedRepayment[] repayments) =>
        ClaimLineCheck.Check("icbc-gz", ClaimQuarter.Parse("2025-Q3").Value, line, loan, bank, repayments, PolicySeed.Resolver, PolicySeed.Lpr);

    private static readonly RecordedRepayment Q3Interest = new(D("2025-09-20"), Money.FromFen(178_889), Money.Zero, D("2025-06-20"));

    [Fact]
    public void A_line_claiming_the_paid_interest_and_894_44_matches()
    {
        var v = Check(new ClaimLineInput("L1", Money.FromFen(178_889), Money.FromFen(89_444)), Disbursed(), "icbc-gz", Q3Interest);
        Assert.Equal(ClaimLineFlag.Matches, v.Flag);
        Assert.Equal((92, 89_444L), (v.Days, v.ExpectedSubsidy.Fen));
        Assert.Equal(Money.FromFen(89_444), v.Payable(Money.FromFen(90_000)));
        Assert.Equal(Money.FromFen(80_000), v.Payable(Money.FromFen(80_000)));
    }

    [Fact]
    public void Another_banks_loan_and_unpaid_interest_are_not_payable()
    {
        var line = new ClaimLineInput("L1", Money.FromFen(178_889), Money.FromFen(89_444));
        Assert.Equal(SubsidyReasons.LoanNotThisBanks, Check(line, Disbursed(), "ccb-gz", Q3Interest).NotPayableReason);
        Assert.Equal(SubsidyReasons.LoanNotThisBanks, Check(line, null, null).NotPayableReason);
        Assert.Equal(SubsidyReasons.InterestNotPaid, Check(line, Disbursed(), "icbc-gz").NotPayableReason);
        // Part of the period's interest only: not payable either.
        var part = Q3Interest with { Interest = Money.FromFen(100_000) };
        Assert.Equal(SubsidyReasons.InterestNotPaid, Check(line, Disbursed(), "icbc-gz", part).NotPayableReason);
    }

    [Fact]
    public void A_loan_disbursed_before_2021_has_no_formula_and_is_not_payable()
    {
        var loan = Disbursed("2020-12-20");
        var repayment = new RecordedRepayment(D("2025-09-20"), Money.FromFen(178_889), Money.Zero, D("2025-06-20"));
        Assert.Equal(ReasonCodes.NoSubsidyFormula, Check(new ClaimLineInput("L1", Money.FromFen(178_889), Money.Zero), loan, "icbc-gz", repayment).NotPayableReason);
    }

    [Theory]
    [InlineData("2025-Q3", "2025-10-01", true)]
    [InlineData("2025-Q3", "2025-10-31", true)]
    [InlineData("2025-Q3", "2025-11-01", false)]
    [InlineData("2025-Q3", "2025-09-30", false)]
    [InlineData("2024-Q4", "2025-01-15", true)]
    public void A_claim_is_filed_in_the_first_month_after_its_quarter(string quarter, string today, bool open) =>
        Assert.Equal(open, ClaimQuarter.Parse(quarter).Value.CheckFiling(D(today)).IsOk);

    [Theory]
    [InlineData("2025-Q5")]
    [InlineData("2025Q3")]
    [InlineData("25-Q3")]
    public void Malformed_quarters_are_refused(string text) => Assert.Equal(SubsidyReasons.QuarterInvalid, ClaimQuarter.Parse(text).Refusal!.Code);

    [Fact]
    public void The_subsidy_by_runs_of_days_equals_the_sum_day_by_day() =>
        Prop.ForAll(
            (from days in Gen.Choose(1, 400)
             from offsets in Gen.ArrayOf(Gen.Choose(0, 420), 4)
             from extension in Gen.Elements(true, false)
             from repaidDay in Gen.Choose(0, 450)
             select (days, offsets, extension, repaidDay)).ToArbitrary(),
            t =>
            {
                var start = D("2025-06-20");
                var period = new DateRange(start, start.AddDays(t.days));
                var o = t.offsets.Order().ToArray();
                var exclusions = new[]
                {
                    new SubsidyExclusion(new DateRange(start.AddDays(o[0]), start.AddDays(o[1])), SubsidyExclusionReason.Overdue),
                    new SubsidyExclusion(new DateRange(start.AddDays(o[2]), start.AddDays(o[3])), t.extension ? SubsidyExclusionReason.Extension : SubsidyExclusionReason.Overdue),
                };
                var timeline = PrincipalTimeline.Disbursed(start, Examples.Principal).With(start.AddDays(t.repaidDay + 1), Money.FromWholeYuan(50_000));
                var request = new SubsidyRequest(RegionCode.Guangzhou, timeline, Examples.ContractRate, Examples.ContractDate, start, period, exclusions);
                var c = SubsidyCalculator.Calculate(request, PolicySeed.Resolver, PolicySeed.Lpr).Value;
                decimal interest = 0, subsidy = 0;
                var subsidisedDays = 0;
                for (var day = period.Start; day < period.End; day = day.AddDays(1))
                {
                    var principal = timeline.PrincipalOn(day);
                    interest += DayCount.Numerator(principal, Examples.ContractRate, 1);
                    if (!exclusions.Any(e => e.Range.Contains(day)))
                    {
                        subsidy += DayCount.Numerator(principal, c.SubsidyRate.Rate, 1);
                        subsidisedDays++;
                    }
                }
                return c.InterestNumerator == interest && c.SubsidyNumerator == subsidy && c.SubsidisedDays == subsidisedDays
                    && c.Segments.Sum(s => s.Days) == t.days;
            }).QuickCheckThrowOnFailure();
}
