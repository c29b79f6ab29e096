using System.Globalization;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Commands;

/// <summary>The unit of the amounts in a statement file: said explicitly, never guessed.</summary>
internal enum StatementAmountUnit
{
    /// <summary>Yuan with at most two decimals: 1,000,000.50 is 100,000,050 fen.</summary>
    Yuan,

    /// <summary>Whole fen: 1,000,000 is 1,000,000 fen (10,000.00 yuan).</summary>
    Fen,
}

/// <summary>
/// A bank's statement file for `danbao reconcile statement --file`: CSV records `loan,amount`
/// (RFC 4180 quoting, so a grouped amount is written "1,000,000"), an optional header whose first
/// cell starts with "loan", blank lines ignored. Every other record is parsed exactly or refused
/// naming its line and column: nothing is dropped and no amount is guessed.
/// </summary>
internal static class StatementFile
{
    /// <summary>Most lines one file may hold (the server's per-statement limit).</summary>
    public const int LinesMax = 2_000_000;

    /// <summary>The file's lines, read as streamed (the file is never held in memory).</summary>
    public static IEnumerable<StatementLine> Read(string path, StatementAmountUnit unit)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var config = new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            IgnoreBlankLines = true,
            BadDataFound = null,
            Mode = CsvHelper.CsvMode.RFC4180,
        };
        using var parser = new CsvHelper.CsvParser(reader, config);
        var name = Path.GetFileName(path);
        var count = 0;
        var first = true;
        while (parser.Read())
        {
            var line = parser.RawRow;
            var cells = parser.Record ?? [];
            if (first && cells.Length > 0 && cells[0].TrimStart('\uFEFF').Trim().StartsWith("loan", StringComparison.OrdinalIgnoreCase)
                && !cells[0].Trim().StartsWith("loans/", StringComparison.Ordinal))
            {
                first = false;
                continue;
            }
            first = false;
            if (cells.Length == 1 && cells[0].Trim().Length == 0)
            {
                continue;
            }
            if (cells.Length < 2)
            {
                throw Refuse(name, line, 2, "missing the amount: each line is loan,amount");
            }
            if (cells.Length > 2)
            {
                throw Refuse(name, line, 3, $"unexpected third column '{cells[2]}': each line is loan,amount (quote an amount with commas: \"1,000,000\")");
            }
            var loan = cells[0].Trim();
            // The id as the packed upload carries it: 2 to 34 printable ASCII characters.
            if (!loan.StartsWith("loans/", StringComparison.Ordinal) || loan.Length - "loans/".Length is < 2 or > 34
                || loan.AsSpan("loans/".Length).ContainsAnyExceptInRange('!', '~'))
            {
                throw Refuse(name, line, 1, $"'{cells[0]}' is not a loan name like loans/L… (2 to 34 printable ASCII characters after loans/)");
            }
            if (++count > LinesMax)
            {
                throw Refuse(name, line, 1, $"a statement holds at most {LinesMax} lines");
            }
            yield return new StatementLine { Loan = loan, OutstandingFen = Amount(cells[1], unit, name, line) };
        }
    }

    /// <summary>
    /// An amount in the stated unit: digits, optionally grouped by commas in threes (1,000,000), and
    /// for yuan at most two decimals. Anything else (a sign, a currency mark, 1,00, 1.005) is refused.
    /// </summary>
    public static long Amount(string text, StatementAmountUnit unit, string file, int line)
    {
        var value = text.Trim();
        var point = value.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? value : value[..point];
        var decimals = point < 0 ? "" : value[(point + 1)..];
        if (unit == StatementAmountUnit.Fen && point >= 0)
        {
            throw Refuse(file, line, 2, $"'{text}' has decimals, but --amounts fen means whole fen");
        }
        if (decimals.Length > 2 || (point >= 0 && decimals.Length == 0) || !decimals.All(char.IsAsciiDigit))
        {
            throw Refuse(file, line, 2, $"'{text}' is not an amount in yuan with at most two decimals");
        }
        if (!Grouped(whole))
        {
            throw Refuse(file, line, 2, $"'{text}' is not an amount: digits, optionally grouped in threes by commas (1,000,000)");
        }
        var digits = whole.Replace(",", "", StringComparison.Ordinal);
        try
        {
            var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            return unit == StatementAmountUnit.Fen
                ? amount
                : checked((amount * 100) + (decimals.Length == 0 ? 0 : long.Parse(decimals.PadRight(2, '0'), NumberStyles.None, CultureInfo.InvariantCulture)));
        }
        catch (OverflowException)
        {
            throw Refuse(file, line, 2, $"'{text}' is too large");
        }
    }

    private static bool Grouped(string whole)
    {
        if (whole.Length == 0 || !whole.All(c => char.IsAsciiDigit(c) || c == ','))
        {
            return false;
        }
        if (!whole.Contains(',', StringComparison.Ordinal))
        {
            return true;
        }
        var groups = whole.Split(',');
        return groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3);
    }

    private static UsageException Refuse(string file, int line, int column, string message) =>
        new($"{file}: line {line}, column {column}: {message}; nothing was sent");
}
