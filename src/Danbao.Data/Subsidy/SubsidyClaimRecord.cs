using Danbao.Domain;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
namespace Danbao.Data.Subsidy;

/// <summary>A subsidy_claims row: one bank's claim for one quarter, with the summary of its lines.</summary>
public sealed record SubsidyClaimRecord
{
    public required string Id { get; init; }
    public required string BankId { get; init; }
    public required string RegionCode { get; init; }
    public required DateOnly QuarterStart { get; init; }
    public required string State { get; init; }
    public required DateOnly FiledDate { get; init; }
    public DateOnly? SettledDate { get; init; }
    public long? LedgerTransactionId { get; init; }
    public int LineCount { get; init; }
    public long ClaimedSubsidyFen { get; init; }
    public long ExpectedSubsidyFen { get; init; }
    public long ApprovedSubsidyFen { get; init; }
    public int LinesMatching { get; init; }
    public int LinesDiffering { get; init; }
    public int LinesIneligibleDays { get; init; }
    public int LinesNotPayable { get; init; }
    public int LinesApproved { get; init; }
    public int LinesRejected { get; init; }
    public int LinesLate { get; init; }
    public int LinesLatePending { get; init; }
    public long PaidSubsidyFen { get; init; }
    public long ClawedBackFen { get; init; }
    public long PassedThroughFen { get; init; }
    public string? SettledBy { get; init; }
    /// <summary>The review approved every line it did not name (SubsidyClaimData.RestApproved): those rows stay PENDING until settlement.</summary>
    public bool RestApproved { get; init; }
    /// <summary>Lines PENDING and filed ON_TIME, per verdict flag, and their payable totals: what a review's rule for the rest decides (0 once REVIEWED).</summary>
    public int RestLinesMatching { get; init; }
    public int RestLinesDiffering { get; init; }
    public int RestLinesIneligibleDays { get; init; }
    public long RestPayableMatchingFen { get; init; }
    public long RestPayableDifferingFen { get; init; }
    public long RestPayableIneligibleDaysFen { get; init; }
    public int Version { get; init; } = 1;
    public DateTimeOffset CreatedAt { get; init; }

    public ClaimQuarter Quarter => ClaimQuarter.FromStart(QuarterStart);
}

/// <summary>A subsidy_claim_lines row.</summary>
public sealed record SubsidyClaimLineRecord
{
    public required string ClaimId { get; init; }
    public required string LoanId { get; init; }
    public required string BankId { get; init; }
    public required DateOnly QuarterStart { get; init; }
    public string RegionCode { get; init; } = "";
    public string District { get; init; } = "";
    public long InterestPaidFen { get; init; }
    public long SubsidyClaimedFen { get; init; }
    /// <summary>MATCHES, DIFFERS, INELIGIBLE_DAYS or NOT_PAYABLE.</summary>
    public required string Flag { get; init; }
    public string? NotPayableReason { get; init; }
    public DateOnly? PeriodStart { get; init; }
    public DateOnly? PeriodEnd { get; init; }
    public int Days { get; init; }
    public int ExcludedDays { get; init; }
    public long ExpectedInterestFen { get; init; }
    public long ExpectedSubsidyFen { get; init; }
    public long RecordedInterestFen { get; init; }
    /// <summary>V2, V3 or null.</summary>
    public string? Formula { get; init; }
    /// <summary>PENDING, APPROVED, REJECTED or PAID.</summary>
    public required string Decision { get; init; }
    public string? RejectionReason { get; init; }
    public long ApprovedSubsidyFen { get; init; }
    /// <summary>What approval pays: the verdict's figure (ClaimLineVerdict.Payable), decided when the line is filed.</summary>
    public long PayableSubsidyFen { get; init; }
    public string Message { get; init; } = "";
    /// <summary>ON_TIME, PENDING, ACCEPTED or REFUSED.</summary>
    public string LateFiling { get; init; } = "ON_TIME";
    public string? LateReason { get; init; }

    public ClaimQuarter Quarter => ClaimQuarter.FromStart(QuarterStart);
}

/// <summary>A subsidy_clawbacks row.</summary>
public sealed record SubsidyClawbackRecord(string ClaimId, string LoanId, DateOnly QuarterStart, long AmountFen, string Reason,
    DateOnly ClawedBackDate, string ClawedBackBy, long LedgerTransactionId);

/// <summary>A subsidy_pass_throughs row.</summary>
public sealed record SubsidyPassThroughRecord(string ClaimId, string LoanId, DateOnly QuarterStart, long AmountFen, DateOnly CreditedDate, long LedgerTransactionId);

/// <summary>What a claim line's recomputation needs of a loan: the aggregate's data and who handles it.</summary>
public sealed record SubsidyLoanFacts(LoanData Data, string BankId, string District);

/// <summary>One row of a settlement report: a settled line with the loan's bank, district and formula.</summary>
public sealed record SubsidyReportRow(string ClaimId, string LoanId, string BankId, string District, string Formula,
    DateOnly PeriodStart, DateOnly PeriodEnd, int Days, int ExcludedDays, long InterestFen, long SubsidyFen);

/// <summary>A claim's move to a new state, written with its summary.</summary>
public sealed record ClaimStateChange(string State, DateOnly? SettledDate = null, string? SettledBy = null, long? LedgerTransactionId = null,
    bool? RestApproved = null);
