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

    /// <summary>The date given, or the server's business date (a sandbox's "today" is not the wall clock's).</summary>
    public static async Task<DateOnly> OrServerToday(string? text, string option, Danbao.Client.DanbaoClient client, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(text))
        {
            return Parse(text, option, default);
        }
        var today = await client.Admin.GetBusinessDateAsync(new Danbao.Contracts.V1.GetBusinessDateRequest(), cancellationToken: ct);
        return Parse(today.Date, "the server's business date", default);
    }

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Yuan(long fen) => (fen / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);
}
