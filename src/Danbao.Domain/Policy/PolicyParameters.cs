namespace Danbao.Domain.Policy;

/// <summary>
/// The catalog of every policy parameter in policy.md. Keys are stable strings stored in
/// <c>policy_versions.parameter_key</c>; values are stored as text read by <see cref="PolicyValue.Parse"/>.
/// </summary>
public static class PolicyParameters
{
    // §3 limits, term, extension, counter-guarantee
    public const string IndividualLoanCap = "INDIVIDUAL_LOAN_CAP";
    public const string PartnershipCapMultiplierBp = "PARTNERSHIP_CAP_MULTIPLIER_BP";
    public const string EnterpriseLoanCap = "ENTERPRISE_LOAN_CAP";
    public const string IndividualTermMaxMonths = "INDIVIDUAL_TERM_MAX_MONTHS";
    public const string EnterpriseTermMaxMonths = "ENTERPRISE_TERM_MAX_MONTHS";
    public const string ExtensionCountMax = "EXTENSION_COUNT_MAX";
    public const string ExtensionMonthsMax = "EXTENSION_MONTHS_MAX";
    public const string SubsidyDuringExtension = "SUBSIDY_DURING_EXTENSION";
    public const string CounterGuaranteeThreshold = "COUNTER_GUARANTEE_THRESHOLD";
    public const string CounterGuaranteeRequired = "COUNTER_GUARANTEE_REQUIRED";

    // §2 eligibility
    public const string ApplicantAgeMaxWomen = "APPLICANT_AGE_MAX_WOMEN";
    public const string ApplicantAgeMaxMen = "APPLICANT_AGE_MAX_MEN";
    public const string HkMacauYouthAgeMax = "HK_MACAU_YOUTH_AGE_MAX";
    public const string ConsumerLoanThreshold = "CONSUMER_LOAN_THRESHOLD";
    public const string SubsidisedLoanCountMax = "SUBSIDISED_LOAN_COUNT_MAX";
    public const string EnterpriseHiringRatioBp = "ENTERPRISE_HIRING_RATIO_BP";
    public const string EnterpriseHiringRatioLargeBp = "ENTERPRISE_HIRING_RATIO_LARGE_BP";
    public const string EnterpriseLargeStaffThreshold = "ENTERPRISE_LARGE_STAFF_THRESHOLD";
    public const string SmallMicroStaffLimit = "SMALL_MICRO_STAFF_LIMIT";
    public const string SmallMicroRevenueLimit = "SMALL_MICRO_REVENUE_LIMIT";

    // §4 workflow
    public const string PublicityLength = "PUBLICITY_LENGTH";
    public const string PublicityUnit = "PUBLICITY_UNIT";
    public const string ReportingDeadlineWorkingDays = "REPORTING_DEADLINE_WORKING_DAYS";

    // §5 rate and subsidy
    public const string RateSpreadBp = "RATE_SPREAD_BP";
    public const string SubsidyFormula = "SUBSIDY_FORMULA";
    public const string SubsidyV2BorrowerBelowLprBp = "SUBSIDY_V2_BORROWER_BELOW_LPR_BP";
    public const string SubsidyV3ShareBp = "SUBSIDY_V3_SHARE_BP";

    // §6 risk, compensation, write-off, leverage
    public const string RiskShareFundBp = "RISK_SHARE_FUND_BP";
    public const string RiskShareFundHkMacauYouthBp = "RISK_SHARE_FUND_HK_MACAU_YOUTH_BP";
    public const string RiskShareGovernmentGuarantorBp = "RISK_SHARE_GOVERNMENT_GUARANTOR_BP";
    public const string ClaimOverdueDaysMin = "CLAIM_OVERDUE_DAYS_MIN";
    public const string CompensationBaseMode = "COMPENSATION_BASE_MODE";
    public const string WriteOffWaitMonths = "WRITE_OFF_WAIT_MONTHS";
    public const string LeverageMultipleMax = "LEVERAGE_MULTIPLE_MAX";

    // §7 awards
    public const string AwardPoolCapBp = "AWARD_POOL_CAP_BP";

    // Enum values
    public const string CalendarDays = "CALENDAR_DAYS";
    public const string WorkingDays = "WORKING_DAYS";
    public const string PrincipalAndInterest = "PRINCIPAL_AND_INTEREST";
    public const string PrincipalOnly = "PRINCIPAL_ONLY";
    public const string FormulaV2 = "V2";
    public const string FormulaV3 = "V3";

    private static readonly PolicyParameter[] Catalog =
    [
        new(IndividualLoanCap, PolicyValueKind.Money, "Individual loan cap (个人贷款额度上限), by contract date"),
        new(PartnershipCapMultiplierBp, PolicyValueKind.BasisPoints, "Partnership (合伙创业) cap as bp of the sum of partners' individual caps"),
        new(EnterpriseLoanCap, PolicyValueKind.Money, "Small/micro enterprise (小微企业) loan cap, by contract date"),
        new(IndividualTermMaxMonths, PolicyValueKind.Int, "Longest individual loan term, months"),
        new(EnterpriseTermMaxMonths, PolicyValueKind.Int, "Longest enterprise loan term, months"),
        new(ExtensionCountMax, PolicyValueKind.Int, "How many extensions (展期) a loan may have"),
        new(ExtensionMonthsMax, PolicyValueKind.Int, "Longest extension, months"),
        new(SubsidyDuringExtension, PolicyValueKind.Bool, "Whether extension periods are subsidised"),
        new(CounterGuaranteeThreshold, PolicyValueKind.Money, "Personal loans (个人, 合伙创业) at or below this need no counter-guarantee (反担保)"),
        new(CounterGuaranteeRequired, PolicyValueKind.Bool, "Whether the fund requires a counter-guarantee for enterprise loans and personal loans above the threshold"),
        new(ApplicantAgeMaxWomen, PolicyValueKind.Int, "Oldest age at application, women"),
        new(ApplicantAgeMaxMen, PolicyValueKind.Int, "Oldest age at application, men"),
        new(HkMacauYouthAgeMax, PolicyValueKind.Int, "Oldest age of a recognised HK/Macau youth (港澳青年)"),
        new(ConsumerLoanThreshold, PolicyValueKind.Money, "Borrower and spouse may hold consumer loans only below this"),
        new(SubsidisedLoanCountMax, PolicyValueKind.Int, "Subsidised loans per borrower in a lifetime"),
        new(EnterpriseHiringRatioBp, PolicyValueKind.BasisPoints, "Key-group hires as bp of staff, enterprises up to the large threshold"),
        new(EnterpriseHiringRatioLargeBp, PolicyValueKind.BasisPoints, "Key-group hires as bp of staff, enterprises above the large threshold"),
        new(EnterpriseLargeStaffThreshold, PolicyValueKind.Int, "Staff count above which the large-enterprise hiring ratio applies"),
        new(SmallMicroStaffLimit, PolicyValueKind.Int, "An enterprise with fewer staff than this is small/micro (小微企业)"),
        new(SmallMicroRevenueLimit, PolicyValueKind.Money, "An enterprise with annual revenue below this is small/micro (小微企业)"),
        new(PublicityLength, PolicyValueKind.Int, "Length of the publicity (公示), in PUBLICITY_UNIT"),
        new(PublicityUnit, PolicyValueKind.Enum, "Unit of the publicity length", [CalendarDays, WorkingDays]),
        new(ReportingDeadlineWorkingDays, PolicyValueKind.Int, "Working days for the bank to report early settlement, representative change, closure"),
        new(RateSpreadBp, PolicyValueKind.BasisPoints, "Rate cap spread over 1-year LPR: eastern +50, central/western +150, former poverty counties +250"),
        new(SubsidyFormula, PolicyValueKind.Enum, "Subsidy (贴息) formula by disbursement date", [FormulaV2, FormulaV3]),
        new(SubsidyV2BorrowerBelowLprBp, PolicyValueKind.BasisPoints, "V2: the borrower bears LPR minus this many bp"),
        new(SubsidyV3ShareBp, PolicyValueKind.BasisPoints, "V3: subsidy rate as bp of the contract rate"),
        new(RiskShareFundBp, PolicyValueKind.BasisPoints, "Guarantee fund's share of a loss, by guarantee-contract date"),
        new(RiskShareFundHkMacauYouthBp, PolicyValueKind.BasisPoints, "Fund's loss share for recognised HK/Macau youth loans"),
        new(RiskShareGovernmentGuarantorBp, PolicyValueKind.BasisPoints, "Government financing guarantee institution's (政府性融资担保机构) loss share, by guarantee-contract date; the bank bears the rest"),
        new(ClaimOverdueDaysMin, PolicyValueKind.Int, "A compensation (代偿) claim needs more than this many overdue days"),
        new(CompensationBaseMode, PolicyValueKind.Enum, "What compensation covers", [PrincipalAndInterest, PrincipalOnly]),
        new(WriteOffWaitMonths, PolicyValueKind.Int, "Months after compensation before write-off (呆账核销) without proof"),
        new(LeverageMultipleMax, PolicyValueKind.Int, "Outstanding guarantees ≤ this × fund balance (放大倍数)"),
        new(AwardPoolCapBp, PolicyValueKind.BasisPoints, "Award pool (奖补) cap as bp of the year's new lending"),
    ];

    private static readonly Dictionary<string, PolicyParameter> ByKey = Catalog.ToDictionary(p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyList<PolicyParameter> All => Catalog;

    public static PolicyParameter Get(string key) =>
        ByKey.TryGetValue(key, out var p) ? p : throw new KeyNotFoundException($"'{key}' is not a policy parameter");

    public static bool TryGet(string key, out PolicyParameter? parameter) => ByKey.TryGetValue(key, out parameter);
}
