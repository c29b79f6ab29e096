namespace Danbao.Domain.Calendar;

/// <summary>
/// Validates one year's official table as an operator loads it (announced each November/December):
/// days off (放假) and make-up working days (调休上班). Rules: no date on both lists or twice;
/// dates within the year, except days off may spill into the neighbouring year (2022-12-31 in
/// the 2023 table); make-up working days fall on weekends; days off that fall on weekends are
/// allowed (the notice lists whole holiday ranges).
/// </summary>
public static class CalendarYearTable
{
    public const int DaysMax = 120;

    public static Result<IReadOnlyList<CalendarDay>> Build(int year, IReadOnlyCollection<DateOnly> daysOff, IReadOnlyCollection<DateOnly> makeupWorkingDays)
    {
        ArgumentNullException.ThrowIfNull(daysOff);
        ArgumentNullException.ThrowIfNull(makeupWorkingDays);
        if (year is < 2000 or > 2100)
            return Invalid($"{year} is not a plausible calendar year");
        if (daysOff.Count + makeupWorkingDays.Count > DaysMax)
            return Invalid($"a year's table lists at most {DaysMax} days");
        var all = daysOff.Concat(makeupWorkingDays).ToList();
        var repeated = all.GroupBy(d => d).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            return Invalid($"{repeated.Key:yyyy-MM-dd} is listed more than once");
        var strayOff = daysOff.FirstOrDefault(d => Math.Abs(d.Year - year) > 1 || (d.Year != year && Math.Abs(d.DayNumber - new DateOnly(year, 1, 1).DayNumber) > 31 && Math.Abs(d.DayNumber - new DateOnly(year, 12, 31).DayNumber) > 31));
        if (strayOff != default)
            return Invalid($"day off {strayOff:yyyy-MM-dd} is too far from {year}");
        var strayWork = makeupWorkingDays.FirstOrDefault(d => d.Year != year);
        if (strayWork != default)
            return Invalid($"make-up working day {strayWork:yyyy-MM-dd} is not in {year}");
        var weekday = makeupWorkingDays.FirstOrDefault(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
        if (weekday != default)
            return Invalid($"make-up working day {weekday:yyyy-MM-dd} is a {weekday.DayOfWeek}, already a working day");
        return daysOff.Select(d => new CalendarDay(d, CalendarDayKind.Off, year))
            .Concat(makeupWorkingDays.Select(d => new CalendarDay(d, CalendarDayKind.MakeupWork, year)))
            .OrderBy(d => d.Date).ToArray();
    }

    private static Refusal Invalid(string message) => new(ReasonCodes.CalendarTableInvalid, message);
}
