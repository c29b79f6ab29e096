namespace Danbao.Domain.Eligibility;

/// <summary>What eligibility needs to know about a small/micro enterprise (小微企业).</summary>
public sealed record EnterpriseApplicant
{
    public required RegionCode RegisteredRegion { get; init; }

    public required int StaffCount { get; init; }

    /// <summary>Key-group people hired in the 12 months before applying, on contracts of at least one year.</summary>
    public required int KeyGroupHiresLast12Months { get; init; }

    public bool HasWageOrSocialInsuranceArrears { get; init; }

    /// <summary>Revenue of the last full year; null when unknown (then only the staff count can show the size).</summary>
    public Money? AnnualRevenue { get; init; }

    /// <summary>Guarantee loans of the same unified social credit code (统一社会信用代码) still live, this application excluded.</summary>
    public int ActiveLoansForCreditCode { get; init; }

    /// <summary>The credit code's earlier guarantee loans (the good-payer rule).</summary>
    public IReadOnlyList<PriorLoan> PriorLoans { get; init; } = [];
}

/// <summary>
/// Enterprise eligibility (policy.md §2): registered in the programme's province; new key-group
/// hires ≥ ⌈staff × 15%⌉ (⌈staff × 8%⌉ above 100 staff); no wage or social-insurance arrears.
/// 40 staff → 6 hires; 120 staff → 10. Small/micro (小微企业): fewer staff than SMALL_MICRO_STAFF_LIMIT
/// or revenue below SMALL_MICRO_REVENUE_LIMIT (a medium enterprise reaches both). One credit code,
/// one live loan; and good payers only (PRIOR_LOAN_DEFAULTED).
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
            CheckSize(applicant, snapshot, refusals);
            if (applicant.ActiveLoansForCreditCode > 0)
                refusals.Add(new Refusal(ReasonCodes.CreditCodeHasActiveLoan,
                    $"the enterprise's credit code already holds {applicant.ActiveLoansForCreditCode} live guarantee loan(s)"));
            if (PriorLoan.GoodPayerRefusal(applicant.PriorLoans, "the enterprise") is { } defaulted)
                refusals.Add(defaulted);
            return Assessment.From(refusals, snapshot);
        }
        catch (DomainRefusalException e)
        {
            return Assessment.Missing(e);
        }
    }

    /// <summary>Small or micro when either measure is below its limit; an unknown revenue cannot show it.</summary>
    private static void CheckSize(EnterpriseApplicant applicant, PolicySnapshot policy, List<Refusal> refusals)
    {
        var staffLimit = policy.SmallMicroStaffLimit;
        if (applicant.StaffCount < staffLimit)
            return;
        var revenueLimit = policy.SmallMicroRevenueLimit;
        if (applicant.AnnualRevenue is { } revenue && revenue < revenueLimit)
            return;
        var revenueText = applicant.AnnualRevenue is { } r ? $"revenue {r}" : "no revenue given";
        refusals.Add(new Refusal(ReasonCodes.EnterpriseNotSmallOrMicro,
            $"{applicant.StaffCount} staff (limit below {staffLimit}) and {revenueText} (limit below {revenueLimit}): not a small/micro enterprise"));
    }
}
