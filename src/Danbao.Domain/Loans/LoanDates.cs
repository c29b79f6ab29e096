namespace Danbao.Domain.Loans;

/// <summary>A refusal of one request field: the field name (as on the wire), a reason code, a message.</summary>
public sealed record FieldRefusal(string Field, string Code, string Message)
{
    public override string ToString() => $"{Field}: {Code}: {Message}";
}

/// <summary>The business dates a loan already has, which later dates must not precede.</summary>
public sealed record LoanDateFacts
{
    public DateOnly? ApplicationDate { get; init; }
    public DateOnly? ApprovalDate { get; init; }
    public DateOnly? ContractDate { get; init; }
    public DateOnly? GuaranteeDate { get; init; }
    public DateOnly? DisbursementDate { get; init; }

    /// <summary>The latest recorded repayment (interest is settled up to it).</summary>
    public DateOnly? LatestRepaymentDate { get; init; }

    public DateOnly? ClaimDate { get; init; }
    public DateOnly? CompensatedDate { get; init; }

    /// <summary>The facts stored on the loan; the application and approval dates live outside <see cref="LoanData"/>.</summary>
    public static LoanDateFacts Of(LoanData loan, DateOnly? applicationDate = null, DateOnly? approvalDate = null)
    {
        ArgumentNullException.ThrowIfNull(loan);
        return new LoanDateFacts
        {
            ApplicationDate = applicationDate,
            ApprovalDate = approvalDate,
            ContractDate = loan.ContractDate,
            GuaranteeDate = loan.GuaranteeDate,
            DisbursementDate = loan.DisbursementDate,
            LatestRepaymentDate = loan.DisbursementDate is { } d && loan.InterestPaidToDate is { } paid && paid > d ? paid : null,
            ClaimDate = loan.ClaimDate,
            CompensatedDate = loan.CompensatedDate,
        };
    }
}

/// <summary>The business events whose dates are checked.</summary>
public enum LoanDateEvent
{
    Application,
    Contract,
    Approval,
    Guarantee,
    Disbursement,
    Repayment,
    Extension,
    Claim,
    Compensation,
    WriteOff,

    /// <summary>The date of a reportable event (early settlement, legal representative change, closure).</summary>
    ReportedEvent,
}

/// <summary>
/// Date order, in one place: every business date is checked against the dates it must follow and
/// against today (CST, passed in). Only a contract date may lie ahead of today, by at most
/// <see cref="ContractDateDaysAheadMax"/> days (a contract signed for a date soon after review).
/// Returns every failed check as a field-level refusal, so the service can report them as
/// BadRequest field violations, all at once.
/// </summary>
public static class LoanDates
{
    /// <summary>How far ahead of today a contract date may be set.</summary>
    public const int ContractDateDaysAheadMax = 90;

    public static IReadOnlyList<FieldRefusal> Check(LoanDateEvent kind, string field, DateOnly date, LoanDateFacts facts, DateOnly today)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentNullException.ThrowIfNull(facts);
        var refusals = new List<FieldRefusal>();
        if (kind == LoanDateEvent.Contract)
        {
            var latest = today.AddDays(ContractDateDaysAheadMax);
            if (date > latest)
                refusals.Add(new FieldRefusal(field, ReasonCodes.DateTooFarAhead,
                    $"{date:yyyy-MM-dd} is more than {ContractDateDaysAheadMax} days after today ({today:yyyy-MM-dd})"));
        }
        else if (date > today)
        {
            refusals.Add(new FieldRefusal(field, ReasonCodes.DateInFuture, $"{date:yyyy-MM-dd} is after today ({today:yyyy-MM-dd})"));
        }
        foreach (var (name, previous) in MustFollow(kind, facts))
        {
            if (previous is { } p && date < p)
                refusals.Add(new FieldRefusal(field, ReasonCodes.DateBeforePreviousEvent, $"{date:yyyy-MM-dd} is before the {name} date {p:yyyy-MM-dd}"));
        }
        return refusals;
    }

    /// <summary>A report date: not before the event it reports, not after today.</summary>
    public static IReadOnlyList<FieldRefusal> CheckReport(string field, DateOnly reportedOn, DateOnly eventDate, DateOnly today)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        var refusals = new List<FieldRefusal>();
        if (reportedOn > today)
            refusals.Add(new FieldRefusal(field, ReasonCodes.DateInFuture, $"{reportedOn:yyyy-MM-dd} is after today ({today:yyyy-MM-dd})"));
        if (reportedOn < eventDate)
            refusals.Add(new FieldRefusal(field, ReasonCodes.DateBeforePreviousEvent, $"{reportedOn:yyyy-MM-dd} is before the event date {eventDate:yyyy-MM-dd}"));
        return refusals;
    }

    /// <summary>The dates an event may not precede, by name.</summary>
    private static IEnumerable<(string Name, DateOnly? Date)> MustFollow(LoanDateEvent kind, LoanDateFacts f) => kind switch
    {
        LoanDateEvent.Application => [],
        LoanDateEvent.Contract => [("application", f.ApplicationDate)],
        LoanDateEvent.Approval => [("application", f.ApplicationDate)],
        LoanDateEvent.Guarantee => [("application", f.ApplicationDate), ("approval", f.ApprovalDate)],
        LoanDateEvent.Disbursement => [("application", f.ApplicationDate), ("approval", f.ApprovalDate), ("contract", f.ContractDate), ("guarantee", f.GuaranteeDate)],
        LoanDateEvent.Repayment => [("disbursement", f.DisbursementDate), ("latest repayment", f.LatestRepaymentDate)],
        LoanDateEvent.Extension => [("disbursement", f.DisbursementDate)],
        LoanDateEvent.Claim => [("disbursement", f.DisbursementDate)],
        LoanDateEvent.Compensation => [("disbursement", f.DisbursementDate), ("claim", f.ClaimDate)],
        LoanDateEvent.WriteOff => [("compensation", f.CompensatedDate)],
        LoanDateEvent.ReportedEvent => [("disbursement", f.DisbursementDate)],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
