using System.Globalization;

namespace Danbao.Domain.Subsidy;

/// <summary>
/// A calendar quarter a subsidy claim covers, "YYYY-QN". Claims for a quarter are filed in the
/// first month of the next quarter (policy.md §5, Guangzhou: 每季度首月申报上季度贴息).
/// </summary>
public readonly record struct ClaimQuarter
{
    private ClaimQuarter(int year, int number)
    {
        Year = year;
        Number = number;
    }

    public int Year { get; }

    /// <summary>1..4.</summary>
    public int Number { get; }

    public DateOnly Start => new(Year, ((Number - 1) * 3) + 1, 1);

    /// <summary>Exclusive: the first day of the next quarter.</summary>
    public DateOnly End => Start.AddMonths(3);

    public DateRange Range => new(Start, End);

    /// <summary>The month in which claims for this quarter are filed: [End, End + 1 month).</summary>
    public DateRange FilingWindow => new(End, End.AddMonths(1));

    public static ClaimQuarter Of(DateOnly date) => new(date.Year, ((date.Month - 1) / 3) + 1);

    public static ClaimQuarter FromStart(DateOnly start) => Of(start);

    public ClaimQuarter Previous => Of(Start.AddDays(-1));

    public static Result<ClaimQuarter> Parse(string text)
    {
        if (text is { Length: 7 } && text[4] == '-' && text[5] == 'Q'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && year is >= 2000 and <= 2100 && text[6] is >= '1' and <= '4')
        {
            return new ClaimQuarter(year, text[6] - '0');
        }
        return new Refusal(SubsidyReasons.QuarterInvalid, $"'{text}' is not a quarter like 2025-Q3");
    }

    /// <summary>A claim for this quarter may be filed on <paramref name="today"/> only within its filing window.</summary>
    public Result<Unit> CheckFiling(DateOnly today) =>
        FilingWindow.Contains(today)
            ? Unit.Value
            : new Refusal(SubsidyReasons.ClaimWindowClosed,
                $"claims for {this} are filed from {FilingWindow.Start:yyyy-MM-dd} to {FilingWindow.End.AddDays(-1):yyyy-MM-dd}; today is {today:yyyy-MM-dd}");

    public override string ToString() => $"{Year:D4}-Q{Number}";
}

/// <summary>Reason codes of subsidy claims and awards (stable; clients match on them).</summary>
public static class SubsidyReasons
{
    public const string QuarterInvalid = "QUARTER_INVALID";
    public const string ClaimWindowClosed = "SUBSIDY_CLAIM_WINDOW_CLOSED";
    public const string LineExists = "SUBSIDY_LINE_EXISTS";
    public const string ClaimNotDraft = "SUBSIDY_CLAIM_NOT_DRAFT";
    public const string ClaimNotSubmitted = "SUBSIDY_CLAIM_NOT_SUBMITTED";
    public const string ClaimNotReviewed = "SUBSIDY_CLAIM_NOT_REVIEWED";
    public const string ClaimEmpty = "SUBSIDY_CLAIM_EMPTY";
    public const string NotPayableLine = "SUBSIDY_LINE_NOT_PAYABLE";
    public const string NothingApproved = "SUBSIDY_NOTHING_APPROVED";

    // Why a line is not payable.
    public const string LoanNotThisBanks = "LOAN_NOT_THIS_BANKS";
    public const string LoanNotDisbursed = "LOAN_NOT_DISBURSED";
    public const string InterestNotPaid = "INTEREST_NOT_PAID";

    public const string AwardAlreadyApproved = "AWARD_ALREADY_APPROVED";

    // The claim aggregate (SubsidyClaim).
    public const string ClaimNotSettled = "SUBSIDY_CLAIM_NOT_SETTLED";
    public const string ClaimFull = "SUBSIDY_CLAIM_FULL";
    public const string StreamTooLarge = "SUBSIDY_STREAM_TOO_LARGE";
    public const string LineUnknown = "SUBSIDY_LINE_UNKNOWN";
    public const string LineQuarterAfterClaim = "SUBSIDY_LINE_QUARTER_AFTER_CLAIM";
    public const string LateReasonRequired = "SUBSIDY_LATE_REASON_REQUIRED";
    public const string LateLineUndecided = "SUBSIDY_LATE_LINE_UNDECIDED";
    public const string LateFilingRefused = "LATE_FILING_REFUSED";
    public const string ReasonRequired = "SUBSIDY_REASON_REQUIRED";
    public const string NotApproved = "NOT_APPROVED";
    public const string DateInFuture = "DATE_IN_FUTURE";
    public const string LineNotPaid = "SUBSIDY_LINE_NOT_PAID";
    public const string ClawbackAbovePaid = "SUBSIDY_CLAWBACK_ABOVE_PAID";
    public const string PassThroughRecorded = "SUBSIDY_PASS_THROUGH_RECORDED";
    public const string PassThroughBeforeSettlement = "SUBSIDY_PASS_THROUGH_BEFORE_SETTLEMENT";

    // Awards (AwardDecision).
    public const string AwardYearNotEnded = "AWARD_YEAR_NOT_ENDED";
    public const string AwardRecipientNotNamed = "AWARD_RECIPIENT_KIND_NOT_NAMED";
}
