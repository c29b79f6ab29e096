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

/// <summary>
/// A table of an operator command. For people: figures right-aligned and never wrapped (a column
/// whose every cell is a number, an amount or empty), text columns shrink to fit the terminal.
/// With --json: one JSON object per row on stdout, keyed by the column headers.
/// </summary>
internal sealed partial class Report(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row (Spectre markup, as Table.AddRow takes it).</summary>
    public Report AddRow(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void Write(CliContext cli)
    {
        if (cli.Json)
        {
            foreach (var row in _rows)
            {
                var json = new System.Text.Json.Nodes.JsonObject();
                for (var i = 0; i < headers.Length; i++)
                {
                    json[headers[i]] = i < row.Length ? Markup.Remove(row[i]) : "";
                }
                cli.JsonOut.WriteLine(json.ToJsonString());
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            var index = i;
            if (_rows.Count > 0 && _rows.All(r => index >= r.Length || r[index].Length == 0 || Figure().IsMatch(r[index])))
            {
                column.RightAligned().NoWrap();
            }
            table.AddColumn(column);
        }
        foreach (var row in _rows)
        {
            table.AddRow(row);
        }
        cli.Console.Write(table);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?[0-9][0-9,]*(\.[0-9]+)?%?$")]
    private static partial System.Text.RegularExpressions.Regex Figure();
}
