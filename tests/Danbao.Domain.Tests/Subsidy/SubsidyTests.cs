using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class SubsidyTests
{
    private static SubsidyCalculation Calculate(SubsidyRequest request) =>
        SubsidyCalculator.Calculate(request, PolicySeed.Resolver, PolicySeed.Lpr).Value;

    [Fact]
    public void Example_3_v3_subsidy_for_92_days_is_894_44_and_the_borrower_pays_894_45()
    {
        var result = Calculate(Examples.Loan(D("2025-06-01"), Range("2025-06-21", "2025-09-21"), Examples.ContractDate));
        Assert.Equal(SubsidyFormulaVersion.V3, result.Formula);
        Assert.Equal(Rate.FromBp(175), result.SubsidyRate.Rate);
        Assert.Equal("1,788.89", result.Interest.ToString());
        Assert.Equal("894.44", result.Subsidy.ToString());
        Assert.Equal("894.45", result.BorrowerShare.ToString());
        Assert.Equal(92, result.SubsidisedDays);
        Assert.Contains(result.Versions, v => v.Id == "CN:SUBSIDY_FORMULA:2023-10-01");
    }

    [Fact]
    public void Example_3_v3_subsidy_over_730_days_is_7097_22_each()
    {
        var start = D("2025-06-01");
        var result = Calculate(Examples.Loan(start, new DateRange(start, start.AddDays(730))));
        Assert.Equal("7,097.22", result.Subsidy.ToString());
        Assert.Equal("7,097.22", result.BorrowerShare.ToString());
        Assert.Equal("14,194.44", result.Interest.ToString());
    }

    [Fact]
    public void Example_4_v2_subsidy_as_if_disbursed_in_2022_is_8111_11_and_borrower_6083_33()
    {
        // The example fixes LPR at 3.00%: give the calculator an LPR table saying so on the contract date.
        var lpr = new LprTable([new LprEntry(D("2022-01-01"), Rate.FromPercent(3.00m), "example 4")]);
        var start = D("2022-06-01");
        var request = Examples.Loan(start, new DateRange(start, start.AddDays(730)));
        var result = SubsidyCalculator.Calculate(request, PolicySeed.Resolver, lpr).Value;
        Assert.Equal(SubsidyFormulaVersion.V2, result.Formula);
        Assert.Equal(Rate.FromPercent(2.00m), result.SubsidyRate.Rate);
        Assert.Equal("8,111.11", result.Subsidy.ToString());
        Assert.Equal("6,083.33", result.BorrowerShare.ToString());
    }

    [Fact]
    public void V2_uses_the_lpr_in_force_on_the_contract_date_and_later_changes_do_not_alter_it()
    {
        // Contract 2022-06-01 (LPR 3.70%): s = 3.50% − (3.70% − 1.50%) = 1.30%, for any later period.
        var request = Examples.Loan(D("2022-06-01"), Range("2024-09-20", "2024-12-20"));
        var result = Calculate(request);
        Assert.Equal(Rate.FromPercent(1.30m), result.SubsidyRate.Rate);
        Assert.Equal(D("2022-01-20"), result.SubsidyRate.Lpr!.EffectiveFrom);
    }

    [Fact]
    public void V2_subsidy_rate_is_floored_at_zero()
    {
        var request = Examples.Loan(D("2022-06-01"), Range("2022-06-01", "2022-09-01")) with { ContractRate = Rate.FromPercent(2.00m) };
        Assert.Equal(Rate.Zero, Calculate(request).SubsidyRate.Rate);
        Assert.Equal(Money.Zero, Calculate(request).Subsidy);
    }

    [Fact]
    public void Disbursed_2023_09_30_is_v2_and_2023_10_01_is_v3()
    {
        Assert.Equal(SubsidyFormulaVersion.V2, Calculate(Examples.Loan(D("2023-09-30"), Range("2023-09-30", "2023-12-20"))).Formula);
        Assert.Equal(SubsidyFormulaVersion.V3, Calculate(Examples.Loan(D("2023-10-01"), Range("2023-10-01", "2023-12-20"))).Formula);
    }

    [Fact]
    public void Loans_disbursed_before_2021_are_refused_with_no_subsidy_formula()
    {
        var result = SubsidyCalculator.Calculate(Examples.Loan(D("2020-12-31"), Range("2020-12-31", "2021-03-20")), PolicySeed.Resolver, PolicySeed.Lpr);
        Assert.Equal(ReasonCodes.NoSubsidyFormula, result.Refusal!.Code);
    }

    [Fact]
    public void A_loan_overdue_12_days_inside_a_quarter_loses_exactly_those_12_days()
    {
        var period = Range("2025-06-21", "2025-09-21");
        var overdue = new SubsidyExclusion(Range("2025-07-01", "2025-07-13"), SubsidyExclusionReason.Overdue);
        var result = Calculate(Examples.Loan(D("2025-06-01"), period, null, overdue));
        Assert.Equal(80, result.SubsidisedDays);
        var excluded = Assert.Single(result.Excluded);
        Assert.Equal(12, excluded.Days);
        Assert.Equal(SubsidyExclusionReason.Overdue, excluded.ExcludedBecause);
        // Interest still accrues on all 92 days; subsidy = 200,000 × 1.75% × 80/360 = 777.78
        Assert.Equal("1,788.89", result.Interest.ToString());
        Assert.Equal("777.78", result.Subsidy.ToString());
        Assert.Equal("1,011.11", result.BorrowerShare.ToString());
    }

    [Fact]
    public void Extension_days_earn_no_subsidy_by_default()
    {
        var extension = new SubsidyExclusion(Range("2025-08-01", "2025-09-21"), SubsidyExclusionReason.Extension);
        var result = Calculate(Examples.Loan(D("2025-06-01"), Range("2025-06-21", "2025-09-21"), null, extension));
        Assert.Equal(41, result.SubsidisedDays);
        Assert.Contains(result.Versions, v => v.Key == PolicyParameters.SubsidyDuringExtension);
    }

    [Fact]
    public void Early_repayment_is_subsidised_for_the_days_outstanding_only()
    {
        var timeline = PrincipalTimeline.Disbursed(D("2025-06-01"), Examples.Principal).With(D("2025-07-01"), Money.Zero);
        var request = Examples.Loan(D("2025-06-01"), Range("2025-06-21", "2025-09-21")) with { Principal = timeline };
        var result = Calculate(request);
        // 10 days outstanding: interest 194.44, subsidy 97.22
        Assert.Equal("194.44", result.Interest.ToString());
        Assert.Equal("97.22", result.Subsidy.ToString());
    }

    [Fact]
    public void A_quarter_containing_29_february_counts_it_for_subsidy()
    {
        var result = Calculate(Examples.Loan(D("2025-06-01"), Range("2027-12-20", "2028-03-20")));
        Assert.Equal(91, result.SubsidisedDays);
    }

    [Fact]
    public void Subsidy_plus_borrower_share_always_equals_the_rounded_interest() =>
        Prop.ForAll(
            (from days in Gen.Choose(1, 400)
             from principalYuan in Gen.Choose(1, 30_000_000)
             from bp in Gen.Choose(1, 600)
             from overdueDays in Gen.Choose(0, 40)
             select (days, principalYuan, bp, overdueDays)).ToArbitrary(),
            t =>
            {
                var (days, principalYuan, bp, overdueDays) = t;
                var start = D("2025-06-01");
                var period = new DateRange(start, start.AddDays(days));
                var overdue = new SubsidyExclusion(new DateRange(start, start.AddDays(Math.Min(overdueDays, days))), SubsidyExclusionReason.Overdue);
                var request = new SubsidyRequest(RegionCode.Guangzhou, PrincipalTimeline.Disbursed(start, Money.FromWholeYuan(principalYuan)),
                    Rate.FromBp(bp), start, start, period, [overdue]);
                var r = SubsidyCalculator.Calculate(request, PolicySeed.Resolver, PolicySeed.Lpr).Value;
                return r.Subsidy + r.BorrowerShare == r.Interest && r.Subsidy <= r.Interest && !r.Subsidy.IsNegative
                    && r.Interest == InterestCalculator.Accrue(Money.FromWholeYuan(principalYuan), Rate.FromBp(bp), period).Rounded;
            }).QuickCheckThrowOnFailure();
}
