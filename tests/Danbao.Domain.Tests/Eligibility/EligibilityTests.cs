using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class EligibilityTests
{
    private static IndividualApplicant Applicant(string birth, Gender gender) => new()
    {
        BirthDate = D(birth),
        Gender = gender,
        ProjectRegion = RegionCode.Guangzhou,
        KeyGroups = new HashSet<KeyGroup> { KeyGroup.Graduate },
    };

    private static IndividualEligibilityResult Assess(IndividualApplicant a, string on = "2025-06-01") =>
        IndividualEligibility.Assess(a, D(on), PolicySeed.Resolver);

    [Fact]
    public void A_61_year_old_man_is_refused_and_a_60_year_old_accepted()
    {
        var refused = Assess(Applicant("1964-05-31", Gender.Male));
        Assert.Equal(61, refused.AgeAtApplication);
        Assert.Equal(ReasonCodes.ApplicantTooOld, Assert.Single(refused.Assessment.Refusals).Code);
        Assert.Contains(refused.Assessment.Refusals[0].Versions, v => v.Key == PolicyParameters.ApplicantAgeMaxMen);
        Assert.True(Assess(Applicant("1964-06-02", Gender.Male)).IsEligible);
    }

    [Fact]
    public void A_56_year_old_woman_is_refused_and_a_55_year_old_accepted()
    {
        Assert.Equal(ReasonCodes.ApplicantTooOld, Assess(Applicant("1969-05-01", Gender.Female)).Assessment.Refusals.Single().Code);
        Assert.True(Assess(Applicant("1970-01-01", Gender.Female)).IsEligible);
    }

    [Fact]
    public void A_fourth_subsidised_loan_is_refused()
    {
        var result = Assess(Applicant("1990-01-01", Gender.Male) with { SubsidisedLoansSoFar = 3 });
        Assert.Equal(ReasonCodes.SubsidisedLoanLimitReached, result.Assessment.Refusals.Single().Code);
        Assert.True(Assess(Applicant("1990-01-01", Gender.Male) with { SubsidisedLoansSoFar = 2 }).IsEligible);
    }

    [Fact]
    public void An_individual_loan_alongside_an_enterprise_loan_is_refused() =>
        Assert.Equal(ReasonCodes.IndividualAndEnterpriseLoan,
            Assess(Applicant("1990-01-01", Gender.Male) with { HasOutstandingEnterpriseGuaranteeLoan = true }).Assessment.Refusals.Single().Code);

    [Fact]
    public void Consumer_loans_must_be_below_the_guangdong_threshold_of_10_wan()
    {
        var ok = Assess(Applicant("1990-01-01", Gender.Male) with { ConsumerLoansOutstanding = Money.Parse("99999.99") });
        Assert.True(ok.IsEligible);
        var refused = Assess(Applicant("1990-01-01", Gender.Male) with { ConsumerLoansOutstanding = Money.FromWholeYuan(100_000) });
        Assert.Equal(ReasonCodes.ConsumerLoanAboveThreshold, refused.Assessment.Refusals.Single().Code);
    }

    [Fact]
    public void Every_failed_rule_is_reported()
    {
        var result = Assess(Applicant("1950-01-01", Gender.Male) with { KeyGroups = new HashSet<KeyGroup>(), SubsidisedLoansSoFar = 5 });
        Assert.Equal(new[] { ReasonCodes.ApplicantTooOld, ReasonCodes.NotKeyGroup, ReasonCodes.SubsidisedLoanLimitReached },
            result.Assessment.Refusals.Select(r => r.Code));
    }

    [Fact]
    public void Hk_macau_youth_is_recognised_for_a_guangzhou_project_at_45_or_younger()
    {
        var youth = Applicant("1985-01-01", Gender.Female) with { Residency = Residency.HongKong, KeyGroups = new HashSet<KeyGroup> { KeyGroup.HongKongMacauTaiwanFounder } };
        Assert.True(Assess(youth).HkMacauYouth);                                                   // 40
        Assert.False(Assess(youth with { BirthDate = D("1979-01-01") }).HkMacauYouth);             // 46
        Assert.False(Assess(youth with { ProjectRegion = RegionCode.Jiangmen }).HkMacauYouth);     // not Guangzhou
        Assert.False(Assess(youth with { Residency = Residency.Taiwan }).HkMacauYouth);
        Assert.True(Assess(youth with { Residency = Residency.Macau }).HkMacauYouth);
    }

    [Theory]
    [InlineData(40, 6)]
    [InlineData(100, 15)]
    [InlineData(120, 10)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Example_6_enterprise_hiring_test_rounds_up(int staff, int hires) =>
        Assert.Equal(hires, EnterpriseEligibility.RequiredKeyGroupHires(staff, PolicySeed.Resolver.At(RegionCode.Guangzhou, D("2025-06-01"))));

    [Fact]
    public void Enterprise_with_too_few_key_group_hires_or_registered_elsewhere_is_refused()
    {
        var ok = new EnterpriseApplicant { RegisteredRegion = RegionCode.Guangzhou, StaffCount = 40, KeyGroupHiresLast12Months = 6 };
        Assert.True(EnterpriseEligibility.Assess(ok, RegionCode.Guangzhou, D("2025-06-01"), PolicySeed.Resolver).IsOk);
        var few = EnterpriseEligibility.Assess(ok with { KeyGroupHiresLast12Months = 5 }, RegionCode.Guangzhou, D("2025-06-01"), PolicySeed.Resolver);
        Assert.Equal(ReasonCodes.KeyGroupHiresTooFew, few.Refusals.Single().Code);
        var elsewhere = EnterpriseEligibility.Assess(ok with { RegisteredRegion = new RegionCode("CN-HN") }, RegionCode.Guangzhou, D("2025-06-01"), PolicySeed.Resolver);
        Assert.Equal(ReasonCodes.EnterpriseNotRegisteredInRegion, elsewhere.Refusals.Single().Code);
        Assert.True(EnterpriseEligibility.Assess(ok with { RegisteredRegion = RegionCode.Jiangmen }, RegionCode.Guangzhou, D("2025-06-01"), PolicySeed.Resolver).IsOk);
    }
}
