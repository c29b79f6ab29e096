using System.Globalization;

namespace Danbao.Grpc;

/// <summary>The grpc-timeout header: at most 8 digits followed by a unit (H M S m u n).</summary>
public static class GrpcTimeout
{
    /// <summary>Longest timeout honoured; beyond this a deadline is as good as none (and CancelAfter has a ceiling).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    private const long DigitsMax = 99_999_999;

    /// <summary>Parses a header value; false when malformed.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        ReadOnlySpan<char> digits = value.AsSpan(0, value.Length - 1);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        long amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        double ticks = value[^1] switch
        {
            'H' => amount * (double)TimeSpan.TicksPerHour,
            'M' => amount * (double)TimeSpan.TicksPerMinute,
            'S' => amount * (double)TimeSpan.TicksPerSecond,
            'm' => amount * (double)TimeSpan.TicksPerMillisecond,
            'u' => amount * 10.0,
            'n' => amount / 100.0,
            _ => -1,
        };
        if (ticks < 0)
        {
            return false;
        }
        timeout = ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)Math.Ceiling(ticks));
        return true;
    }

    /// <summary>Formats a timeout using the finest unit that fits in 8 digits.</summary>
    public static string Format(TimeSpan timeout)
    {
        long ticks = Math.Max(0, timeout.Ticks);
        long micros = ticks / 10;
        if (micros <= DigitsMax)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }
        long millis = ticks / TimeSpan.TicksPerMillisecond;
        if (millis <= DigitsMax)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }
        long seconds = ticks / TimeSpan.TicksPerSecond;
        if (seconds <= DigitsMax)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }
        long hours = Math.Min(DigitsMax, ticks / TimeSpan.TicksPerHour);
        return hours.ToString(CultureInfo.InvariantCulture) + "H";
    }
}
