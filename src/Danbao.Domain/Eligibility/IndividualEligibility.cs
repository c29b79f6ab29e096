namespace Danbao.Domain.Eligibility;

/// <summary>The eligibility assessment of an individual, and whether they are a recognised HK/Macau youth.</summary>
public sealed record IndividualEligibilityResult(Assessment Assessment, int AgeAtApplication, bool HkMacauYouth)
{
    public bool IsEligible => Assessment.IsOk;
}

/// <summary>
/// Individual eligibility (policy.md §2), governed by the application date in the project's region:
/// age (women ≤55, men ≤60 at application), key group, lifetime subsidised-loan count, no
/// simultaneous enterprise loan, other-loan limits, and good payers only (no earlier loan compensated
/// or written off: PRIOR_LOAN_DEFAULTED). HK/Macau youth: HK or Macau resident by identity document,
/// aged ≤ HK_MACAU_YOUTH_AGE_MAX, project registered in a region where that parameter is in
/// force (Guangzhou) → recognised for the higher fund share.
/// </summary>
public static class IndividualEligibility
{
    public static IndividualEligibilityResult Assess(IndividualApplicant applicant, DateOnly applicationDate, PolicyResolver policy)
    {
        ArgumentNullException.ThrowIfNull(applicant);
        ArgumentNullException.ThrowIfNull(policy);
        var snapshot = policy.At(applicant.ProjectRegion, applicationDate);
        var age = Age.On(applicant.BirthDate, applicationDate);
        try
        {
            var refusals = new List<Refusal>();
            CheckAge(applicant, age, snapshot, refusals);
            CheckKeyGroup(applicant, refusals);
            CheckLoans(applicant, snapshot, refusals);
            if (PriorLoan.GoodPayerRefusal(applicant.PriorLoans, "the applicant") is { } defaulted)
                refusals.Add(defaulted);
            var hkMacauYouth = IsHkMacauYouth(applicant, age, snapshot);
            return new IndividualEligibilityResult(Assessment.From(refusals, snapshot), age, hkMacauYouth);
        }
        catch (DomainRefusalException e)
        {
            return new IndividualEligibilityResult(Assessment.Missing(e), age, false);
        }
    }

    private static void CheckAge(IndividualApplicant applicant, int age, PolicySnapshot policy, List<Refusal> refusals)
    {
        var max = applicant.Gender == Gender.Female ? policy.ApplicantAgeMaxWomen : policy.ApplicantAgeMaxMen;
        if (age > max)
            refusals.Add(new Refusal(ReasonCodes.ApplicantTooOld,
                $"applicant is {age} at application; the limit for {(applicant.Gender == Gender.Female ? "women" : "men")} is {max}"));
    }

    private static void CheckKeyGroup(IndividualApplicant applicant, List<Refusal> refusals)
    {
        if (applicant.KeyGroups.Count == 0)
            refusals.Add(new Refusal(ReasonCodes.NotKeyGroup, "applicant belongs to no key group (重点扶持对象)"));
    }

    private static void CheckLoans(IndividualApplicant applicant, PolicySnapshot policy, List<Refusal> refusals)
    {
        var countMax = policy.SubsidisedLoanCountMax;
        if (applicant.SubsidisedLoansSoFar >= countMax)
            refusals.Add(new Refusal(ReasonCodes.SubsidisedLoanLimitReached,
                $"applicant has had {applicant.SubsidisedLoansSoFar} subsidised loans; the lifetime limit is {countMax}"));
        if (applicant.HasOutstandingEnterpriseGuaranteeLoan)
            refusals.Add(new Refusal(ReasonCodes.IndividualAndEnterpriseLoan,
                "an individual loan and an enterprise loan may not be held at the same time"));
        if (applicant.HasOtherDisallowedLoans)
            refusals.Add(new Refusal(ReasonCodes.OtherLoansOutstanding,
                "borrower or spouse holds loans other than student, poverty-relief, housing, car or small consumer loans"));
        var threshold = policy.ConsumerLoanThreshold;
        if (applicant.ConsumerLoansOutstanding >= threshold)
            refusals.Add(new Refusal(ReasonCodes.ConsumerLoanAboveThreshold,
                $"consumer loans of borrower and spouse ({applicant.ConsumerLoansOutstanding}) are not below {threshold}"));
    }

    private static bool IsHkMacauYouth(IndividualApplicant applicant, int age, PolicySnapshot policy)
    {
        if (applicant.EvidencedResidency is not (Residency.HongKong or Residency.Macau))
            return false;
        var ageMax = policy.TryGet(PolicyParameters.HkMacauYouthAgeMax);
        return ageMax is not null && age <= ageMax.Value.AsInt;
    }
}
