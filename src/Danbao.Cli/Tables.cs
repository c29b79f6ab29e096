using System.Globalization;
using Spectre.Console;

namespace Danbao.Cli;

/// <summary>Money as operators read it: yuan with thousands separators, right-aligned in tables.</summary>
internal static class Amounts
{
    /// <summary>1234567 fen → "12,345.67"; negative amounts keep their sign.</summary>
    public static string Yuan(long fen) =>
        (fen < 0 ? "-" : "") + (Math.Abs((decimal)fen) / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);
}

/// <summary>Tables that fit the terminal: figures never wrap (right-aligned, no wrap), text columns take what is left.</summary>
internal static class Tables
{
    /// <summary>A table whose columns marked numeric are right-aligned and never wrapped.</summary>
    public static Table New(CliContext cli, params (string Header, bool Numeric)[] columns)
    {
        _ = cli;
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (header, numeric) in columns)
        {
            var column = new TableColumn(Markup.Escape(header));
            if (numeric)
            {
                column.RightAligned().NoWrap();
            }
            table.AddColumn(column);
        }
        return table;
    }
}
