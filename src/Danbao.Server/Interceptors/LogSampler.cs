using System.Diagnostics;

namespace Danbao.Server.Interceptors;

/// <summary>
/// Lets one log line through per <see cref="Window"/> and counts the rest, so that a flood of failed
/// authentications (issue 14, finding 8: ~25k lines/s) writes about one line a second, each saying how
/// many like it were left out. Metrics still count every call.
/// </summary>
public sealed class LogSampler
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private long _windowStarted = long.MinValue;
    private long _suppressed;

    /// <summary>True when this line should be written; <paramref name="suppressed"/> is how many were left out before it.</summary>
    public bool ShouldLog(out long suppressed)
    {
        var now = Stopwatch.GetTimestamp();
        var started = Interlocked.Read(ref _windowStarted);
        if ((started == long.MinValue || Stopwatch.GetElapsedTime(started, now) >= Window)
            && Interlocked.CompareExchange(ref _windowStarted, now, started) == started)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }
        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
