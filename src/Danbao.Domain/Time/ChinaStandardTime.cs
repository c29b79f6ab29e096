namespace Danbao.Domain.Time;

/// <summary>
/// China Standard Time (北京时间), UTC+8 all year (no daylight saving since 1991). Instants say
/// when something happened; business dates (due dates, publicity days, interest days) are
/// <see cref="DateOnly"/> in CST. The domain never reads a clock: callers pass instants in.
/// </summary>
public static class ChinaStandardTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The CST calendar date on which the instant falls: 2025-09-30T16:00Z → 2025-10-01.</summary>
    public static DateOnly BusinessDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>00:00 CST of the date, as an instant (offset +08:00).</summary>
    public static DateTimeOffset StartOfDay(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>The instant converted to CST wall time (offset +08:00).</summary>
    public static DateTimeOffset ToCst(DateTimeOffset instant) => instant.ToOffset(Offset);
}
