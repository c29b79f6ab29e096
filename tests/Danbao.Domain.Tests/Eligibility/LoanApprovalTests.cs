using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class LoanApprovalTests
{
    private static ApprovalResult Check(LoanTerms terms) => LoanApproval.Check(terms, PolicySeed.Resolver, PolicySeed.Lpr);

    private static string[] Codes(ApprovalResult r) => r.Assessment.Refusals.Select(x => x.Code).ToArray();

    [Fact]
    public void Example_5_partnership_cap_for_3_partners_under_2023_rules_is_99_wan()
    {
        var policy = PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-06-01"));
        Assert.Equal(Money.FromWholeYuan(990_000), PartnershipCap.Compute(3, policy));
        Assert.Equal(Money.FromWholeYuan(4_000_000), PartnershipCap.Compute(20, policy));
    }

    [Fact]
    public void Individual_cap_is_30_wan_from_2023_10_01_and_20_wan_before()
    {
        Assert.True(Check(Examples.Terms(Money.FromWholeYuan(300_000), contractDate: "2023-10-01")).IsApproved);
        var before = Check(Examples.Terms(Money.FromWholeYuan(300_000), contractDate: "2023-09-30"));
        Assert.Equal(new[] { ReasonCodes.AmountAboveCap }, Codes(before));
        Assert.Equal(Money.FromWholeYuan(200_000), before.Limits!.AmountCap);
        Assert.Contains(before.Assessment.Refusals[0].Versions, v => v.Id == "CN:INDIVIDUAL_LOAN_CAP:2020-04-15");
        Assert.True(Check(Examples.Terms(Money.FromWholeYuan(200_000), contractDate: "2023-09-30", ratePercent: 3.95m)).IsApproved);
    }

    [Fact]
    public void Counter_guarantee_is_required_above_100000_00_only()
    {
        Assert.True(Check(Examples.Terms(Money.Parse("100000.00"), counterGuarantee: false)).IsApproved);
        Assert.Equal(new[] { ReasonCodes.CounterGuaranteeRequired }, Codes(Check(Examples.Terms(Money.Parse("100000.01"), counterGuarantee: false))));
        Assert.True(Check(Examples.Terms(Money.Parse("100000.01"), counterGuarantee: true)).IsApproved);
    }

    [Fact]
    public void Terms_above_3_years_individual_or_2_years_enterprise_are_refused()
    {
        Assert.True(Check(Examples.Terms(Money.FromWholeYuan(100_000), termMonths: 36)).IsApproved);
        Assert.Equal(new[] { ReasonCodes.TermTooLong }, Codes(Check(Examples.Terms(Money.FromWholeYuan(100_000), termMonths: 37))));
        Assert.Equal(new[] { ReasonCodes.TermTooLong }, Codes(Check(Examples.Terms(Money.FromWholeYuan(1_000_000), BorrowerType.Enterprise, termMonths: 25))));
    }

    [Fact]
    public void Rate_above_the_cap_is_refused_at_approval()
    {
        var r = Check(Examples.Terms(Money.FromWholeYuan(100_000), ratePercent: 3.60m));
        Assert.Equal(new[] { ReasonCodes.RateAboveCap }, Codes(r));
        Assert.Equal(Rate.FromPercent(3.50m), r.Limits!.RateCap.Cap);
    }

    [Fact]
    public void Partnership_amount_is_capped_at_99_wan_for_3_partners()
    {
        Assert.True(Check(Examples.Terms(Money.FromWholeYuan(990_000), BorrowerType.Partnership, partners: 3)).IsApproved);
        Assert.Equal(new[] { ReasonCodes.AmountAboveCap }, Codes(Check(Examples.Terms(Money.Parse("990000.01"), BorrowerType.Partnership, partners: 3))));
    }

    [Fact]
    public void Approval_in_a_region_without_a_rate_spread_is_refused_as_missing_policy()
    {
        var r = LoanApproval.Check(Examples.Terms(Money.FromWholeYuan(100_000)) with { Region = new RegionCode("CN-HN") }, PolicySeed.Resolver, PolicySeed.Lpr);
        Assert.Equal(new[] { ReasonCodes.PolicyParameterMissing }, Codes(r));
    }
}

/// <summary>policy.md §3 as updated: partnerships are individual founders' loans; the 10万 exemption is personal only.</summary>
public class PartnershipAndCounterGuaranteeTests
{
    private static ApprovalResult Check(LoanTerms terms) => LoanApproval.Check(terms, PolicySeed.Resolver, PolicySeed.Lpr);

    private static string[] Codes(ApprovalResult r) => r.Assessment.Refusals.Select(x => x.Code).ToArray();

    [Fact]
    public void Partnership_term_may_run_to_36_months_like_an_individual_loan()
    {
        var thirtySix = Check(Examples.Terms(Money.FromWholeYuan(500_000), BorrowerType.Partnership, termMonths: 36, partners: 3));
        Assert.True(thirtySix.IsApproved, string.Join(", ", Codes(thirtySix)));
        Assert.Equal(36, thirtySix.Limits!.TermMaxMonths);
        Assert.Equal(new[] { ReasonCodes.TermTooLong },
            Codes(Check(Examples.Terms(Money.FromWholeYuan(500_000), BorrowerType.Partnership, termMonths: 37, partners: 3))));
    }

    [Fact]
    public void Enterprise_term_stays_at_24_months()
    {
        Assert.Equal(24, Check(Examples.Terms(Money.FromWholeYuan(1_000_000), BorrowerType.Enterprise, termMonths: 24)).Limits!.TermMaxMonths);
    }

    [Fact]
    public void Partnership_at_or_below_10_wan_needs_no_counter_guarantee()
    {
        Assert.True(Check(Examples.Terms(Money.Parse("100000.00"), BorrowerType.Partnership, counterGuarantee: false, partners: 2)).IsApproved);
        Assert.Equal(new[] { ReasonCodes.CounterGuaranteeRequired },
            Codes(Check(Examples.Terms(Money.Parse("100000.01"), BorrowerType.Partnership, counterGuarantee: false, partners: 2))));
    }

    [Fact]
    public void Enterprise_loan_of_10_wan_or_less_still_needs_a_counter_guarantee()
    {
        var refused = Check(Examples.Terms(Money.Parse("100000.00"), BorrowerType.Enterprise, counterGuarantee: false));
        Assert.Equal(new[] { ReasonCodes.CounterGuaranteeRequired }, Codes(refused));
        Assert.Contains(refused.Assessment.Versions, v => v.Key == PolicyParameters.CounterGuaranteeRequired);
        Assert.True(Check(Examples.Terms(Money.Parse("100000.00"), BorrowerType.Enterprise, counterGuarantee: true)).IsApproved);
    }

    [Fact]
    public void A_fund_that_waives_counter_guarantees_lets_enterprise_loans_through_without_one()
    {
        var waived = new PolicyResolver(PolicySeed.Resolver.Versions.Append(PolicyVersion.FromRow(
            "CN-GD-GZ:COUNTER_GUARANTEE_REQUIRED:2025-01-01", PolicyParameters.CounterGuaranteeRequired, "CN-GD-GZ", Dates.D("2025-01-01"), "false", "test")));
        var result = LoanApproval.Check(Examples.Terms(Money.FromWholeYuan(1_000_000), BorrowerType.Enterprise, counterGuarantee: false), waived, PolicySeed.Lpr);
        Assert.True(result.IsApproved);
    }
}
