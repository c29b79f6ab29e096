namespace Danbao.Domain.Policy;

/// <summary>
/// A range for every parameter of <see cref="PolicyParameters"/> (policy.md §11: amounts and caps
/// &gt; 0, shares in 0…10000 bp, leverage multiple ≥ 1, day counts ≥ 1, ages 16…70). Upper bounds
/// are sanity limits (several times today's value) that catch a slipped digit, not policy.
/// Fund + bank shares always sum to 10000 bp: only the fund's share is stored and the bank's is its
/// complement (<see cref="Ratio.Complement"/>), so a share in 0…10000 is the whole check.
/// </summary>
public static class PolicyValueRanges
{
    private static readonly Dictionary<string, PolicyValueRange> ByKey = new(StringComparer.Ordinal)
    {
        // §3 limits: caps > 0; 100万 individual / 1000万 enterprise are ~3× today's caps.
        [PolicyParameters.IndividualLoanCap] = PolicyValueRange.Yuan(0.01m, 1_000_000m),
        [PolicyParameters.PartnershipCapMultiplierBp] = PolicyValueRange.Bp(1, 30_000, wholeOnly: true),
        [PolicyParameters.EnterpriseLoanCap] = PolicyValueRange.Yuan(0.01m, 10_000_000m),
        [PolicyParameters.IndividualTermMaxMonths] = PolicyValueRange.Count(1, 120, "months"),
        [PolicyParameters.EnterpriseTermMaxMonths] = PolicyValueRange.Count(1, 120, "months"),
        [PolicyParameters.ExtensionCountMax] = PolicyValueRange.Count(0, 5, "extensions"), // 0: no extension allowed
        [PolicyParameters.ExtensionMonthsMax] = PolicyValueRange.Count(1, 60, "months"),
        [PolicyParameters.SubsidyDuringExtension] = PolicyValueRange.Flag(),
        // A threshold, not a cap: 0.00 means every loan needs a counter-guarantee (the [A] default, §3).
        [PolicyParameters.CounterGuaranteeThreshold] = PolicyValueRange.Yuan(0m, 1_000_000m),
        [PolicyParameters.CounterGuaranteeRequired] = PolicyValueRange.Flag(),
        // Small/micro enterprise bounds (工信部联企业〔2011〕300号 sets 300 staff / 2000万 for industry).
        [PolicyParameters.SmallMicroStaffLimit] = PolicyValueRange.Count(1, 100_000, "staff"),
        [PolicyParameters.SmallMicroRevenueLimit] = PolicyValueRange.Yuan(0.01m, 10_000_000_000m),

        // §2 eligibility: ages 16…70.
        [PolicyParameters.ApplicantAgeMaxWomen] = PolicyValueRange.Count(16, 70, "years"),
        [PolicyParameters.ApplicantAgeMaxMen] = PolicyValueRange.Count(16, 70, "years"),
        [PolicyParameters.HkMacauYouthAgeMax] = PolicyValueRange.Count(16, 70, "years"),
        [PolicyParameters.ConsumerLoanThreshold] = PolicyValueRange.Yuan(0.01m, 1_000_000m),
        [PolicyParameters.SubsidisedLoanCountMax] = PolicyValueRange.Count(1, 10, "loans"),
        [PolicyParameters.EnterpriseHiringRatioBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
        [PolicyParameters.EnterpriseHiringRatioLargeBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
        [PolicyParameters.EnterpriseLargeStaffThreshold] = PolicyValueRange.Count(1, 100_000, "staff"),

        // §4 workflow: day counts ≥ 1.
        [PolicyParameters.PublicityLength] = PolicyValueRange.Count(1, 30, "days"),
        [PolicyParameters.PublicityUnit] = PolicyValueRange.OneOf([PolicyParameters.CalendarDays, PolicyParameters.WorkingDays]),
        [PolicyParameters.ReportingDeadlineWorkingDays] = PolicyValueRange.Count(1, 60, "working days"),

        // §5 rate and subsidy: spreads are rates (decimals allowed), shares whole bp.
        [PolicyParameters.RateSpreadBp] = PolicyValueRange.Bp(0, 1_000, wholeOnly: false),
        [PolicyParameters.SubsidyFormula] = PolicyValueRange.OneOf([PolicyParameters.FormulaV2, PolicyParameters.FormulaV3]),
        [PolicyParameters.SubsidyV2BorrowerBelowLprBp] = PolicyValueRange.Bp(0, 1_000, wholeOnly: false),
        [PolicyParameters.SubsidyV3ShareBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),

        // §6 risk, compensation, write-off, leverage.
        [PolicyParameters.RiskShareFundBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
        [PolicyParameters.RiskShareFundHkMacauYouthBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
        [PolicyParameters.RiskShareGovernmentGuarantorBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
        [PolicyParameters.ClaimOverdueDaysMin] = PolicyValueRange.Count(1, 365, "days"),
        [PolicyParameters.CompensationBaseMode] = PolicyValueRange.OneOf([PolicyParameters.PrincipalAndInterest, PolicyParameters.PrincipalOnly]),
        [PolicyParameters.WriteOffWaitMonths] = PolicyValueRange.Count(0, 120, "months"), // 0: only proof gates write-off
        [PolicyParameters.LeverageMultipleMax] = PolicyValueRange.Count(1, 30, "times the fund balance"),

        // §7 awards.
        [PolicyParameters.AwardPoolCapBp] = PolicyValueRange.Bp(0, 10_000, wholeOnly: true),
    };

    /// <summary>The range of a parameter; false only for a key with no range (a test keeps this from happening).</summary>
    public static bool TryGet(string key, out PolicyValueRange? range) => ByKey.TryGetValue(key ?? "", out range);

    /// <summary>
    /// Refuses POLICY_VALUE_OUT_OF_RANGE, naming the parameter and its range, with Details
    /// field = "value" (map to a BadRequest field violation on the request's value field).
    /// A parameter without a range is refused too: unchecked values never reach the table.
    /// </summary>
    public static Result<PolicyValue> Check(string key, PolicyValue value)
    {
        if (!ByKey.TryGetValue(key ?? "", out var range))
            return OutOfRange(key ?? "", value, $"{key} has no range defined, so no value can be accepted", "none");
        if (range.Allows(value))
            return value;
        return OutOfRange(key!, value, $"{key} must be {range.Description}; got {value.Text}", range.Description);
    }

    /// <summary>Checks a version's value against its parameter's range.</summary>
    public static Result<PolicyVersion> Check(PolicyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Check(version.Key, version.Value).Map(_ => version);
    }

    private static Refusal OutOfRange(string key, PolicyValue value, string message, string range) =>
        new(ReasonCodes.PolicyValueOutOfRange, message)
        {
            Details = new Dictionary<string, string> { ["field"] = "value", ["parameter"] = key, ["range"] = range, ["value"] = value.Text ?? "" },
        };
}
