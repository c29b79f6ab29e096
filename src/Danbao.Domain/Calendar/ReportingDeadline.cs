namespace Danbao.Domain.Calendar;

/// <summary>
/// The bank reports early settlement, a change of legal representative or a business closure to
/// the fund operator within REPORTING_DEADLINE_WORKING_DAYS (10) working days of the event,
/// not counting the event day (policy.md §4, §8). Governed by the event date.
/// </summary>
public static class ReportingDeadline
{
    /// <summary>The last day on which the report is on time: e.g. event Mon 2025-09-29 → 2025-10-20.</summary>
    public static Result<DateOnly> LastDay(DateOnly eventDate, PolicySnapshot policyOnEventDate, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(policyOnEventDate);
        ArgumentNullException.ThrowIfNull(calendar);
        return PolicyDecision.Run(() => calendar.AddWorkingDays(eventDate, policyOnEventDate.ReportingDeadlineWorkingDays));
    }
}
