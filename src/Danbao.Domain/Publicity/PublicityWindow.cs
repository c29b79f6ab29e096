namespace Danbao.Domain.Publicity;

/// <summary>
/// A publicity (公示) period: inclusive of its first day, in China Standard Time. Published on D
/// for 3 calendar days it covers D, D+1, D+2 and can conclude from D+3 00:00 CST.
/// </summary>
public sealed record PublicityWindow(DateOnly PublishedOn, int Length, PublicityUnit Unit, DateOnly LastDay, IReadOnlyList<PolicyVersion> Versions)
{
    /// <summary>The first instant at which the publicity may be concluded: 00:00 CST after the last day.</summary>
    public DateTimeOffset ConcludesAt => ChinaStandardTime.StartOfDay(LastDay.AddDays(1));

    public bool HasEnded(DateTimeOffset now) => now >= ConcludesAt;

    public static Result<PublicityWindow> Open(DateOnly publishedOn, int length, PublicityUnit unit, WorkingCalendar? calendar, IReadOnlyList<PolicyVersion>? versions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        versions ??= Array.Empty<PolicyVersion>();
        if (unit == PublicityUnit.CalendarDays)
            return new PublicityWindow(publishedOn, length, unit, publishedOn.AddDays(length - 1), versions);
        if (calendar is null)
            throw new ArgumentNullException(nameof(calendar), "a working-day publicity needs the calendar");
        // Working days: the publication day counts as day 1 only if it is a working day.
        return calendar.LastOfWorkingDays(publishedOn, length)
            .Map(last => new PublicityWindow(publishedOn, length, unit, last, versions));
    }

    /// <summary>Opens the window with the length and unit in force in the region on the publication date.</summary>
    public static Result<PublicityWindow> Open(DateOnly publishedOn, PolicyResolver policy, RegionCode region, WorkingCalendar? calendar)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var snapshot = policy.At(region, publishedOn);
        return PolicyDecision.Run(() =>
        {
            var length = snapshot.PublicityLength;
            var unit = snapshot.PublicityUnit;
            return Open(publishedOn, length, unit, calendar, snapshot.Used.ToArray());
        });
    }
}
