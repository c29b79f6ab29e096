using Danbao.Cli.Commands;

namespace Danbao.Cli.Tests;

/// <summary>
/// `danbao reconcile statement --file`: amounts in the unit the operator names (yuan or fen), a
/// grouped amount never read as something else, and a line that does not parse refused by line and column.
/// </summary>
public sealed class StatementFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("danbao-statement-").FullName;

    [Fact]
    public void A_grouped_amount_is_read_in_the_unit_given_never_as_1_fen()
    {
        var path = Write("loan,amount", "loans/L1,\"1,000,000\"", "", "loans/L2,250000.5", "loans/L3,7");
        Assert.Equal([("loans/L1", 100_000_000L), ("loans/L2", 25_000_050L), ("loans/L3", 700L)],
            StatementFile.Read(path, StatementAmountUnit.Yuan).Select(l => (l.Loan, l.OutstandingFen)));
        var fen = Write("loans/L1,\"1,000,000\"", "loans/L3,7");
        Assert.Equal([1_000_000L, 7L], StatementFile.Read(fen, StatementAmountUnit.Fen).Select(l => l.OutstandingFen));
    }

    [Theory]
    [InlineData("fen", "loans/L9,1,000,000", 3, "unexpected third column '000'")]
    [InlineData("fen", "loans/L9,12.50", 2, "'12.50' has decimals, but --amounts fen means whole fen")]
    [InlineData("yuan", "loans/L9,12.505", 2, "'12.505' is not an amount in yuan with at most two decimals")]
    [InlineData("yuan", "loans/L9,\"1,00\"", 2, "'1,00' is not an amount")]
    [InlineData("yuan", "loans/L9,-5", 2, "'-5' is not an amount")]
    [InlineData("yuan", "loans/L9,¥5", 2, "'¥5' is not an amount")]
    [InlineData("yuan", "loans/L9", 2, "missing the amount")]
    [InlineData("yuan", "L9,5", 1, "'L9' is not a loan name")]
    [InlineData("yuan", "loans/L,5", 1, "'loans/L' is not a loan name")]
    [InlineData("yuan", "loans/贷款9,5", 1, "'loans/贷款9' is not a loan name like loans/L… (2 to 34 printable ASCII characters after loans/)")]
    public void A_line_that_does_not_parse_is_refused_naming_line_and_column(string unit, string bad, int column, string why)
    {
        var path = Write("loan,amount", "loans/L1,5", bad, "loans/L2,5");
        var refused = Assert.Throws<UsageException>(() => StatementFile.Read(path, unit == "fen" ? StatementAmountUnit.Fen : StatementAmountUnit.Yuan).ToList());
        Assert.StartsWith($"statement.csv: line 3, column {column}: {why}", refused.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_dir, "statement.csv");
        File.WriteAllLines(path, lines);
        return path;
    }
}
