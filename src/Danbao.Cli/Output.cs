using System.Globalization;
using Google.Protobuf;

namespace Danbao.Cli;

/// <summary>How commands print: text for people, or with --json the replies as protobuf JSON (one object per line).</summary>
internal static class Output
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>The reply as one line of protobuf JSON (field names in lowerCamelCase, enums by name, int64 as strings).</summary>
    public static string Json(IMessage message) => Formatter.Format(message);

    /// <summary>With --json: the reply as JSON; otherwise the text.</summary>
    public static void Write(CliContext cli, IMessage reply, string text)
    {
        if (cli.Json)
        {
            cli.JsonOut.WriteLine(Json(reply));
        }
        else
        {
            cli.Out.WriteLine(text);
        }
    }

    /// <summary>"100000.00" (yuan, at most two decimals) → 10,000,000 fen. A command-line amount, not a computation.</summary>
    public static long Fen(string? text, string option)
    {
        if (text is null || !decimal.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan)
            || decimal.Round(yuan, 2) != yuan || yuan > 1_000_000_000m)
        {
            throw new UsageException($"{option} '{text}' is not an amount in yuan (e.g. 100000.00)");
        }
        return (long)(yuan * 100m);
    }
}
