using Danbao.Domain;
using Danbao.Domain.Time;
namespace Danbao.Server.Hosting;

/// <summary>
/// A sandbox's clock: "today" (CST) is the business date, which an administrator moves forward and
/// never back; the time of day is the real clock's. Every rule reads the injected
/// <see cref="TimeProvider"/>, so filing windows, "not after today" and batches all follow it.
/// Timers and timestamps for durations (<see cref="GetTimestamp"/>) stay real.
/// </summary>
public sealed class BusinessDateClock(TimeProvider real, DateOnly start) : TimeProvider
{
    private readonly object _gate = new();
    private DateOnly _date = start;

    /// <summary>Today's business date (CST).</summary>
    public DateOnly Date
    {
        get
        {
            lock (_gate)
            {
                return _date;
            }
        }
    }

    /// <summary>The business date at the real time of day (CST), as an instant.</summary>
    public override DateTimeOffset GetUtcNow()
    {
        var timeOfDay = ChinaStandardTime.ToCst(real.GetUtcNow()).TimeOfDay;
        return ChinaStandardTime.StartOfDay(Date).Add(timeOfDay).ToUniversalTime();
    }

    public override long GetTimestamp() => real.GetTimestamp();

    public override long TimestampFrequency => real.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        real.CreateTimer(callback, state, dueTime, period);

    /// <summary>
    /// Moves the business date to <paramref name="to"/>: later dates only; the same date again is a no-op
    /// (so a retried advance is harmless). Returns the date before the move, or null when <paramref name="to"/> is earlier.
    /// </summary>
    public DateOnly? AdvanceTo(DateOnly to)
    {
        lock (_gate)
        {
            if (to < _date)
            {
                return null;
            }
            var before = _date;
            _date = to;
            return before;
        }
    }
}
