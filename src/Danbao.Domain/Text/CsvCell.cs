using System.Text;

namespace Danbao.Domain.Text;

/// <summary>
/// One CSV cell (RFC 4180) that a spreadsheet will not run as a formula (CSV/formula injection):
/// text starting with = + - @ tab or CR gets a leading apostrophe, so Excel and LibreOffice show it
/// as text; a cell holding a comma, quote, CR or LF is quoted, quotes doubled. Numbers the system
/// formats itself (amounts, dates) go through <see cref="Plain"/>: a negative amount stays a number.
/// </summary>
public static class CsvCell
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>Untrusted text (names, reasons, sources, anything a user typed).</summary>
    public static string Escape(string? text)
    {
        var s = text ?? "";
        if (s.Length > 0 && Array.IndexOf(FormulaStarts, s[0]) >= 0)
            s = "'" + s;
        return Quote(s);
    }

    /// <summary>Text the system produced itself and that cannot start a formula by accident: quoted only if needed.</summary>
    public static string Plain(string? text) => Quote(text ?? "");

    /// <summary>A row of already escaped cells, comma-separated, without a line ending.</summary>
    public static string Row(IEnumerable<string> cells) => string.Join(",", cells ?? throw new ArgumentNullException(nameof(cells)));

    private static string Quote(string s)
    {
        if (s.IndexOfAny([',', '"', '\r', '\n']) < 0)
            return s;
        var quoted = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
            quoted.Append(c == '"' ? "\"\"" : c);
        return quoted.Append('"').ToString();
    }
}
