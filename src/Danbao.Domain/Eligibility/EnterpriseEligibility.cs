namespace Danbao.Domain;

/// <summary>What eligibility needs to know about a small/micro enterprise (小微企业).</summary>
public sealed record EnterpriseApplicant
{
    public required RegionCode RegisteredRegion { get; init; }

    public required int StaffCount { get; init; }

    /// <summary>Key-group people hired in the 12 months before applying, on contracts of at least one year.</summary>
    public required int KeyGroupHiresLast12Months { get; init; }

    public bool HasWageOrSocialInsuranceArrears { get; init; }
}

/// <summary>
/// Enterprise eligibility (policy.md §2): registered in the programme's province; new key-group
/// hires ≥ ⌈staff × 15%⌉ (⌈staff × 8%⌉ above 100 staff); no wage or social-insurance arrears.
/// 40 staff → 6 hires; 120 staff → 10.
/// </summary>
public static class EnterpriseEligibility
{
    public static int RequiredKeyGroupHires(int staffCount, Ratio ratio)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(staffCount);
        // Ceiling in integers: ⌈staff × bp / 10000⌉.
        return (int)(((long)staffCount * ratio.Bp + 9_999) / 10_000);
    }

    public static int RequiredKeyGroupHires(int staffCount, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ratio = staffCount > policy.EnterpriseLargeStaffThreshold ? policy.EnterpriseHiringRatioLarge : policy.EnterpriseHiringRatio;
        return RequiredKeyGroupHires(staffCount, ratio);
    }

    /// <param name="programmeRegion">The region whose programme is applied to (the enterprise must be registered within its province).</param>
    public static Assessment Assess(EnterpriseApplicant applicant, RegionCode programmeRegion, DateOnly applicationDate, PolicyResolver policy)
    {
        ArgumentNullException.ThrowIfNull(applicant);
        ArgumentNullException.ThrowIfNull(policy);
        var snapshot = policy.At(programmeRegion, applicationDate);
        try
        {
            var refusals = new List<Refusal>();
            var province = programmeRegion.Level == RegionLevel.City ? programmeRegion.Parent!.Value : programmeRegion;
            if (!applicant.RegisteredRegion.IsWithin(province))
                refusals.Add(new Refusal(ReasonCodes.EnterpriseNotRegisteredInRegion,
                    $"enterprise is registered in {applicant.RegisteredRegion}, outside {province}"));
            var required = RequiredKeyGroupHires(applicant.StaffCount, snapshot);
            if (applicant.KeyGroupHiresLast12Months < required)
                refusals.Add(new Refusal(ReasonCodes.KeyGroupHiresTooFew,
                    $"{applicant.KeyGroupHiresLast12Months} key-group hires in 12 months; {applicant.StaffCount} staff need at least {required}"));
            if (applicant.HasWageOrSocialInsuranceArrears)
                refusals.Add(new Refusal(ReasonCodes.WageOrSocialInsuranceArrears, "enterprise has wage or social-insurance arrears"));
            return Assessment.From(refusals, snapshot);
        }
        catch (DomainRefusalException e)
        {
            return Assessment.Missing(e);
        }
    }
}
