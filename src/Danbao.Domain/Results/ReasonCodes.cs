namespace Danbao.Domain.Results;

/// <summary>Stable reason codes. Clients match on these; never rename one, add new ones instead.</summary>
public static class ReasonCodes
{
    // Policy and reference data
    public const string PolicyParameterMissing = "POLICY_PARAMETER_MISSING";
    public const string PolicyValueInvalid = "POLICY_VALUE_INVALID";
    public const string LprNotAvailable = "LPR_NOT_AVAILABLE";
    public const string CalendarYearNotLoaded = "CALENDAR_YEAR_NOT_LOADED";
    public const string NoSubsidyFormula = "NO_SUBSIDY_FORMULA";
    public const string PolicyVersionExists = "POLICY_VERSION_EXISTS";
    public const string UnknownPolicyParameter = "UNKNOWN_POLICY_PARAMETER";
    public const string RegionCodeInvalid = "REGION_CODE_INVALID";
    public const string LprNotAfterLatest = "LPR_NOT_AFTER_LATEST";
    public const string CalendarTableInvalid = "CALENDAR_TABLE_INVALID";

    // Rule governance (policy.md §10, §11): who may change what, and when
    /// <summary>Only ADMIN sets the national 1-year LPR. Maps to PERMISSION_DENIED.</summary>
    public const string LprAdminOnly = "LPR_ADMIN_ONLY";
    /// <summary>The region is outside the caller's own region (or is national, or a parent/sibling). Maps to PERMISSION_DENIED.</summary>
    public const string RegionNotAllowed = "REGION_NOT_ALLOWED";
    /// <summary>The caller's role may not change policy at all. Maps to PERMISSION_DENIED.</summary>
    public const string PolicyWriteNotAllowed = "POLICY_WRITE_NOT_ALLOWED";
    /// <summary>A new version or LPR dated before today (CST): no backdating.</summary>
    public const string EffectiveDateInPast = "EFFECTIVE_DATE_IN_PAST";
    /// <summary>effective_to (inclusive last day) before effective_from.</summary>
    public const string PolicyEndBeforeStart = "EFFECTIVE_TO_BEFORE_FROM";
    /// <summary>A value outside its parameter's range; Details: field, parameter, range.</summary>
    public const string PolicyValueOutOfRange = "POLICY_VALUE_OUT_OF_RANGE";
    /// <summary>Withdrawal asked on or after the version's effective date: it may have governed already.</summary>
    public const string PolicyVersionAlreadyEffective = "POLICY_VERSION_ALREADY_EFFECTIVE";
    public const string PolicyVersionAlreadyWithdrawn = "POLICY_VERSION_ALREADY_WITHDRAWN";
    public const string WithdrawalReasonRequired = "WITHDRAWAL_REASON_REQUIRED";

    // Input text and sums (issue 14)
    /// <summary>A text field with control, invalid (lone surrogate / U+FFFD), bidi-override or only invisible characters, or too long; Details: field.</summary>
    public const string TextInvalid = "TEXT_INVALID";
    /// <summary>A resident ID number whose birth date is after the application date; Details: field.</summary>
    public const string BirthDateAfterApplication = "BIRTH_DATE_AFTER_APPLICATION";
    /// <summary>A sum of amounts that does not fit in 64-bit fen.</summary>
    public const string AmountOverflow = "AMOUNT_OVERFLOW";

    // Eligibility
    public const string ApplicantTooOld = "APPLICANT_TOO_OLD";
    public const string NotKeyGroup = "NOT_KEY_GROUP";
    public const string SubsidisedLoanLimitReached = "SUBSIDISED_LOAN_LIMIT_REACHED";
    public const string IndividualAndEnterpriseLoan = "INDIVIDUAL_AND_ENTERPRISE_LOAN";
    public const string OtherLoansOutstanding = "OTHER_LOANS_OUTSTANDING";
    public const string ConsumerLoanAboveThreshold = "CONSUMER_LOAN_ABOVE_THRESHOLD";
    public const string EnterpriseNotRegisteredInRegion = "ENTERPRISE_NOT_REGISTERED_IN_REGION";
    public const string KeyGroupHiresTooFew = "KEY_GROUP_HIRES_TOO_FEW";
    public const string WageOrSocialInsuranceArrears = "WAGE_OR_SOCIAL_INSURANCE_ARREARS";
    public const string PartnershipTooFewPartners = "PARTNERSHIP_TOO_FEW_PARTNERS";
    public const string PriorLoanDefaulted = "PRIOR_LOAN_DEFAULTED";
    public const string EnterpriseNotSmallOrMicro = "ENTERPRISE_NOT_SMALL_OR_MICRO";
    public const string CreditCodeHasActiveLoan = "CREDIT_CODE_HAS_ACTIVE_LOAN";
    public const string IdentityDocumentInvalid = "IDENTITY_DOCUMENT_INVALID";

    // Approval limits
    public const string AmountAboveCap = "AMOUNT_ABOVE_CAP";
    public const string AmountNotPositive = "AMOUNT_NOT_POSITIVE";
    public const string TermTooLong = "TERM_TOO_LONG";
    public const string TermNotPositive = "TERM_NOT_POSITIVE";
    public const string RateAboveCap = "RATE_ABOVE_CAP";
    public const string CounterGuaranteeRequired = "COUNTER_GUARANTEE_REQUIRED";

    // Lifecycle
    public const string IllegalTransition = "ILLEGAL_TRANSITION";
    public const string PublicityNotEnded = "PUBLICITY_NOT_ENDED";
    public const string PublicityEnded = "PUBLICITY_ENDED";
    public const string ObjectionPending = "OBJECTION_PENDING";
    public const string ExtensionLimitReached = "EXTENSION_LIMIT_REACHED";
    public const string ExtensionTooLong = "EXTENSION_TOO_LONG";
    public const string DueDiligenceIncomplete = "DUE_DILIGENCE_INCOMPLETE";
    public const string ObjectionUpheld = "OBJECTION_UPHELD";
    public const string RejectedByReviewer = "REJECTED_BY_REVIEWER";
    public const string DueDiligenceFailed = "DUE_DILIGENCE_FAILED";
    public const string DateBeforePreviousEvent = "DATE_BEFORE_PREVIOUS_EVENT";
    public const string RepaymentExceedsDebt = "REPAYMENT_EXCEEDS_DEBT";
    public const string TermsLockedAfterDisbursement = "TERMS_LOCKED_AFTER_DISBURSEMENT";

    // Dates (field-level, see LoanDates)
    public const string DateInFuture = "DATE_IN_FUTURE";
    public const string DateTooFarAhead = "DATE_TOO_FAR_AHEAD";

    // Interest and subsidy
    public const string PeriodInvalid = "PERIOD_INVALID";

    // Compensation, recovery, write-off
    public const string NotOverdueLongEnough = "NOT_OVERDUE_LONG_ENOUGH";
    public const string WriteOffTooEarly = "WRITE_OFF_TOO_EARLY";
    public const string RiskShareInvalid = "RISK_SHARE_INVALID";
    public const string ClaimNotPending = "CLAIM_NOT_PENDING";
    public const string ClaimNotPaid = "CLAIM_NOT_PAID";
    public const string ConsentsMissing = "CONSENTS_MISSING";
    public const string ConfirmationsMissing = "CONFIRMATIONS_MISSING";
    public const string ConsentAlreadyRecorded = "CONSENT_ALREADY_RECORDED";
    public const string ConsentPartyNotRequired = "CONSENT_PARTY_NOT_REQUIRED";
    public const string FundBalanceInsufficient = "FUND_BALANCE_INSUFFICIENT";
    public const string RejectionReasonRequired = "REJECTION_REASON_REQUIRED";
    public const string RecoveryAmountInvalid = "RECOVERY_AMOUNT_INVALID";
    public const string RecoveryExceedsClaim = "RECOVERY_EXCEEDS_CLAIM";
    public const string RecoveryNotPending = "RECOVERY_NOT_PENDING";
    public const string RecoveryPending = "RECOVERY_PENDING";
    public const string NothingToWriteOff = "NOTHING_TO_WRITE_OFF";
    public const string WriteOffEvidenceRequired = "WRITE_OFF_EVIDENCE_REQUIRED";

    // Fund
    public const string LeverageExceeded = "LEVERAGE_EXCEEDED";
    public const string AwardAboveCap = "AWARD_ABOVE_CAP";
    public const string AwardInputInvalid = "AWARD_INPUT_INVALID";
}
