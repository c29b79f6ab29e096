using System.Diagnostics;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Xunit.Abstractions;

namespace Danbao.Server.Tests.Fund;

/// <summary>A large statement streams in and its breaks stream out as CSV, bounded in the reply.</summary>
public sealed class LargeStatementTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_statement_of_100000_lines_streams_in_and_its_breaks_export_as_csv()
    {
        const int linesCount = 100_000;
        const int perMessage = 1_000;
        var bank = server.As("ccb-gz");
        var messages = Enumerable.Range(0, linesCount / perMessage).Select(m =>
        {
            var message = new UploadBankStatementRequest { AsOfDate = m == 0 ? "2026-06-30" : "" };
            message.Lines.AddRange(Enumerable.Range(m * perMessage, perMessage).Select(i => new StatementLine
            {
                Loan = $"loans/L{i:D20}", OutstandingFen = 1_000_00 + i,
            }));
            return message;
        });
        var watch = Stopwatch.StartNew();
        var comparison = await bank.Fund.UploadBankStatementAsync(messages);
        var uploaded = watch.Elapsed;
        // None of these loans is guaranteed here: every line is a break, only the first 1,000 are listed.
        Assert.Equal((linesCount, linesCount, 1_000, true), (comparison.LinesReceived, comparison.BreaksCount, comparison.Breaks.Count, comparison.BreaksTruncated));
        Assert.All(comparison.Breaks, b => Assert.Equal(BreakKind.MissingHere, b.Kind));

        watch.Restart();
        var csv = await bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = comparison.Name });
        var exported = watch.Elapsed;
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(linesCount + 1, lines.Length);
        Assert.Equal($"loans/L{linesCount - 1:D20},MISSING_HERE,0,{1_000_00 + linesCount - 1}", lines[^1]);
        output.WriteLine($"upload of {linesCount} lines in {linesCount / perMessage} messages: {uploaded.TotalMilliseconds:F0} ms; CSV export of {csv.Length / 1024} KiB: {exported.TotalMilliseconds:F0} ms");
    }
}
