namespace Danbao.Domain.Calendar;

/// <summary>
/// The official working-day calendar (calendar.md) over the years whose State Council tables are
/// loaded. Weekends are off unless a make-up working day; listed holidays are off. Any question
/// about a date in a year without a table is refused with CALENDAR_YEAR_NOT_LOADED.
/// </summary>
public sealed class WorkingCalendar
{
    /// <summary>No working-day computation scans further than this (a year and a bit).</summary>
    public const int ScanDaysMax = 400;

    private readonly HashSet<int> _years;
    private readonly Dictionary<DateOnly, CalendarDayKind> _days;

    public WorkingCalendar(IEnumerable<int> loadedYears, IEnumerable<CalendarDay> days)
    {
        ArgumentNullException.ThrowIfNull(loadedYears);
        ArgumentNullException.ThrowIfNull(days);
        _years = loadedYears.ToHashSet();
        _days = [];
        foreach (var day in days)
        {
            if (!_years.Contains(day.TableYear))
                throw new ArgumentException($"{day.Date} belongs to table {day.TableYear}, which is not loaded", nameof(days));
            if (Math.Abs(day.Date.Year - day.TableYear) > 1)
                throw new ArgumentException($"{day.Date} cannot belong to the {day.TableYear} table", nameof(days));
            if (!_days.TryAdd(day.Date, day.Kind))
                throw new ArgumentException($"{day.Date} is listed twice", nameof(days));
        }
    }

    public IReadOnlyCollection<int> LoadedYears => _years;

    /// <summary>Whether <paramref name="other"/> holds the same tables: the same years, the same days of the same kinds.</summary>
    public bool SameTablesAs(WorkingCalendar other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _years.SetEquals(other._years) && _days.Count == other._days.Count
            && _days.All(d => other._days.TryGetValue(d.Key, out var kind) && kind == d.Value);
    }

    public bool Covers(DateOnly date) => _years.Contains(date.Year);

    public Result<bool> IsWorkingDay(DateOnly date)
    {
        if (!Covers(date))
            return NotLoaded(date);
        if (_days.TryGetValue(date, out var kind))
            return kind == CalendarDayKind.MakeupWork;
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The n-th working day after <paramref name="from"/>, not counting <paramref name="from"/> itself.
    /// Example: 10 working days after Mon 2025-09-29 → 2025-10-20. n = 0 returns <paramref name="from"/>.
    /// </summary>
    public Result<DateOnly> AddWorkingDays(DateOnly from, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var date = from;
        var counted = 0;
        for (var step = 0; counted < n; step++)
        {
            if (step > ScanDaysMax * (1 + n / 200))
                throw new InvalidOperationException("working-day scan exceeded its bound");
            date = date.AddDays(1);
            var working = IsWorkingDay(date);
            if (!working.IsOk)
                return working.Refusal;
            if (working.Value)
                counted++;
        }
        return date;
    }

    /// <summary>
    /// The last of n working days counting <paramref name="start"/> as day 1 if it is a working day.
    /// Example: 3 working days starting Fri 2025-09-26 → 09-26, 09-28 (make-up Sunday), 09-29.
    /// </summary>
    public Result<DateOnly> LastOfWorkingDays(DateOnly start, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return AddWorkingDays(start.AddDays(-1), n);
    }

    private static Refusal NotLoaded(DateOnly date) =>
        new(ReasonCodes.CalendarYearNotLoaded, $"no official working-day table is loaded for {date.Year} (asked about {date:yyyy-MM-dd})");
}
