namespace Danbao.Domain.Loans;

/// <summary>Events the handling bank must report to the fund operator (policy.md §4, §8).</summary>
public enum LoanEventKind
{
    /// <summary>提前结清</summary>
    EarlySettlement,

    /// <summary>法定代表人变更</summary>
    LegalRepresentativeChange,

    /// <summary>停业 / 注销</summary>
    BusinessClosure,
}

/// <summary>The UPPER_SNAKE_CASE codes used on the wire and in the database.</summary>
public static class LoanEventKindCodes
{
    public static string ToCode(this LoanEventKind kind) => kind switch
    {
        LoanEventKind.EarlySettlement => "EARLY_SETTLEMENT",
        LoanEventKind.LegalRepresentativeChange => "LEGAL_REPRESENTATIVE_CHANGE",
        LoanEventKind.BusinessClosure => "BUSINESS_CLOSURE",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static LoanEventKind FromCode(string code) => code switch
    {
        "EARLY_SETTLEMENT" => LoanEventKind.EarlySettlement,
        "LEGAL_REPRESENTATIVE_CHANGE" => LoanEventKind.LegalRepresentativeChange,
        "BUSINESS_CLOSURE" => LoanEventKind.BusinessClosure,
        _ => throw new FormatException($"'{code}' is not a loan event kind"),
    };
}

/// <summary>
/// A bank's report of a loan event (early settlement, change of legal representative, business
/// closure): due within REPORTING_DEADLINE_WORKING_DAYS (10) working days after the event, counted
/// on the official calendar (调休 included) under the policy in force on the event date; late when
/// reported after <see cref="Deadline"/>. Event Mon 2025-09-29 → deadline 2025-10-20 (National Day week off).
/// </summary>
public sealed record LoanEventReport(LoanEventKind Kind, DateOnly EventDate, DateOnly ReportedOn, DateOnly Deadline, IReadOnlyList<PolicyVersion> Versions)
{
    public bool IsLate => ReportedOn > Deadline;

    /// <summary>Working days late is not tracked; calendar days past the deadline, 0 when on time.</summary>
    public int DaysLate => IsLate ? ReportedOn.DayNumber - Deadline.DayNumber : 0;

    /// <summary>
    /// The report filed on <paramref name="reportedOn"/> for an event on <paramref name="eventDate"/>.
    /// Refused when reported before the event (DATE_BEFORE_PREVIOUS_EVENT), when the policy has no
    /// deadline, or when the calendar has no table for a day the count crosses.
    /// </summary>
    public static Result<LoanEventReport> File(LoanEventKind kind, DateOnly eventDate, DateOnly reportedOn, PolicySnapshot policyOnEventDate, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(policyOnEventDate);
        ArgumentNullException.ThrowIfNull(calendar);
        if (policyOnEventDate.GoverningDate != eventDate)
            throw new ArgumentException($"the policy must be the one in force on the event date {eventDate:yyyy-MM-dd}", nameof(policyOnEventDate));
        if (reportedOn < eventDate)
            return new Refusal(ReasonCodes.DateBeforePreviousEvent, $"a report on {reportedOn:yyyy-MM-dd} is before the event on {eventDate:yyyy-MM-dd}");
        return ReportingDeadline.LastDay(eventDate, policyOnEventDate, calendar)
            .Map(deadline => new LoanEventReport(kind, eventDate, reportedOn, deadline, policyOnEventDate.Used.ToArray()));
    }
}
