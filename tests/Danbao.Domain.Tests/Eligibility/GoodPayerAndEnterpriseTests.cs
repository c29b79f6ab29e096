using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>policy.md §2: subsidised loans are for good payers; enterprises are small/micro, one live loan per credit code.</summary>
public class GoodPayerAndEnterpriseTests
{
    private static readonly DateOnly ApplicationDate = D("2025-06-01");

    private static IndividualApplicant Person(string birth = "1990-01-01") => new()
    {
        BirthDate = D(birth),
        Gender = Gender.Male,
        ProjectRegion = RegionCode.Guangzhou,
        KeyGroups = new HashSet<KeyGroup> { KeyGroup.Graduate },
    };

    private static readonly EnterpriseApplicant Firm = new() { RegisteredRegion = RegionCode.Guangzhou, StaffCount = 40, KeyGroupHiresLast12Months = 6 };

    private static Assessment AssessFirm(EnterpriseApplicant firm) => EnterpriseEligibility.Assess(firm, RegionCode.Guangzhou, ApplicationDate, PolicySeed.Resolver);

    [Theory]
    [InlineData(LoanState.Compensated)]
    [InlineData(LoanState.Recovering)]
    [InlineData(LoanState.Closed)]
    [InlineData(LoanState.WrittenOff)]
    public void A_borrower_whose_earlier_loan_was_compensated_or_written_off_is_refused(LoanState earlier)
    {
        var result = IndividualEligibility.Assess(Person() with { PriorLoans = [PriorLoan.FromState("L1", earlier)] }, ApplicationDate, PolicySeed.Resolver);
        var refusal = Assert.Single(result.Assessment.Refusals);
        Assert.Equal(ReasonCodes.PriorLoanDefaulted, refusal.Code);
        Assert.Equal("L1", refusal.Details["loans"]);
    }

    [Fact]
    public void A_borrower_who_settled_earlier_loans_is_a_good_payer()
    {
        var history = new[] { PriorLoan.FromState("L1", LoanState.Settled), PriorLoan.FromState("L2", LoanState.Withdrawn) };
        Assert.True(IndividualEligibility.Assess(Person() with { PriorLoans = history }, ApplicationDate, PolicySeed.Resolver).IsEligible);
    }

    [Fact]
    public void A_partners_written_off_loan_refuses_the_partnership()
    {
        var partners = new[] { Person("1992-01-01"), Person("1993-01-01") with { PriorLoans = [new PriorLoan("L9", PriorLoanOutcome.WrittenOff)] } };
        var result = PartnershipEligibility.Assess(Person(), partners, ApplicationDate, PolicySeed.Resolver);
        var refusal = Assert.Single(result.Assessment.Refusals);
        Assert.Equal(ReasonCodes.PriorLoanDefaulted, refusal.Code);
        Assert.Equal("2", refusal.Details["partner"]);
        Assert.StartsWith("partner 2: ", refusal.Message);
        Assert.True(PartnershipEligibility.Assess(Person(), [Person("1992-01-01")], ApplicationDate, PolicySeed.Resolver).IsEligible);
    }

    [Fact]
    public void A_partnership_reports_every_partner_that_fails_with_its_position()
    {
        var result = PartnershipEligibility.Assess(Person(), [Person("1950-01-01"), Person() with { KeyGroups = new HashSet<KeyGroup>() }], ApplicationDate, PolicySeed.Resolver);
        Assert.Equal(new[] { (ReasonCodes.ApplicantTooOld, "1"), (ReasonCodes.NotKeyGroup, "2") },
            result.Assessment.Refusals.Select(r => (r.Code, r.Details["partner"])));
    }

    [Fact]
    public void An_enterprise_whose_earlier_loan_was_compensated_is_refused() =>
        Assert.Equal(ReasonCodes.PriorLoanDefaulted,
            Assert.Single(AssessFirm(Firm with { PriorLoans = [new PriorLoan("L3", PriorLoanOutcome.Compensated)] }).Refusals).Code);

    [Fact]
    public void A_credit_code_with_a_live_loan_cannot_borrow_again()
    {
        var refused = AssessFirm(Firm with { ActiveLoansForCreditCode = 1 });
        Assert.Equal(ReasonCodes.CreditCodeHasActiveLoan, Assert.Single(refused.Refusals).Code);
        Assert.True(AssessFirm(Firm with { ActiveLoansForCreditCode = 0 }).IsOk);
    }

    [Fact]
    public void An_enterprise_is_small_or_micro_below_300_staff_or_below_2000_wan_revenue()
    {
        // Above 100 staff the hiring test is 8%: 299 staff need ⌈23.92⌉ = 24 hires.
        Assert.True(AssessFirm(Firm with { StaffCount = 299, KeyGroupHiresLast12Months = 24 }).IsOk);
        var medium = AssessFirm(Firm with { StaffCount = 300, KeyGroupHiresLast12Months = 24, AnnualRevenue = Money.FromWholeYuan(20_000_000) });
        var refusal = Assert.Single(medium.Refusals);
        Assert.Equal(ReasonCodes.EnterpriseNotSmallOrMicro, refusal.Code);
        Assert.Contains(refusal.Versions, v => v.Key == PolicyParameters.SmallMicroRevenueLimit);
        Assert.True(AssessFirm(Firm with { StaffCount = 300, KeyGroupHiresLast12Months = 24, AnnualRevenue = Money.Parse("19999999.99") }).IsOk);
        Assert.Equal(ReasonCodes.EnterpriseNotSmallOrMicro, Assert.Single(AssessFirm(Firm with { StaffCount = 300, KeyGroupHiresLast12Months = 24 }).Refusals).Code);
    }
}
