using System.Globalization;

namespace Danbao.Cli.Commands;

internal static class Dates
{
    public static DateOnly Parse(string? text, string option, DateOnly fallback)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"{option} '{text}' is not a date YYYY-MM-DD");
    }

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Yuan(long fen) => (fen / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);
}
