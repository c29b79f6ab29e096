using System.Globalization;
using Danbao.Domain.Time;

namespace Danbao.Server.Validation;

/// <summary>
/// Business dates: "today" is the date in China Standard Time of the injected clock (a sandbox's
/// <see cref="Hosting.BusinessDateClock"/> moves it), and a date a request gives may not be after it.
/// </summary>
public static class BusinessDates
{
    public static DateOnly Today(TimeProvider clock) => Of(clock.GetUtcNow());

    /// <summary>The business date (CST) of an instant read from the clock, e.g. a write's <see cref="Calls.WriteScope.Now"/>.</summary>
    public static DateOnly Of(DateTimeOffset instant) => ChinaStandardTime.BusinessDate(instant);

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// An optional business date from a request: <paramref name="today"/> when empty, never after it
    /// (a malformed or later date adds its violation to <paramref name="errors"/>).
    /// </summary>
    public static DateOnly NotAfterToday(this FieldErrors errors, string field, string value, DateOnly today)
    {
        var date = errors.Date(field, value, required: false) ?? today;
        errors.NotAfterToday(field, date, today);
        return date;
    }

    /// <summary>Adds the one "after today" violation when <paramref name="date"/> is later than <paramref name="today"/>.</summary>
    public static bool NotAfterToday(this FieldErrors errors, string field, DateOnly date, DateOnly today)
    {
        if (date <= today)
        {
            return true;
        }
        errors.Add(field, $"must not be after today ({Text(today)} CST)");
        return false;
    }
}
