using System.IO.Compression;
using Danbao.Cli.Commands;
using Danbao.Cli.Tests.Support;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Tests;

/// <summary>The "done when" path: seed, batch, verify, export, each through `danbao`.</summary>
public sealed class DemoToStatementTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Seed_then_batch_then_verify_then_export_works_in_order_and_the_csv_has_the_statement_columns()
    {
        var admin = server.Key("admin");
        var seed = await server.Run(admin, "demo", "seed", "--count", "small", "--seed", "7", "--as-of", CliServer.AsOf);
        Assert.True(seed.ExitCode == 0, seed.ToString());
        Assert.Contains("settled", seed.Out);
        Assert.DoesNotContain("REFUSED", seed.Out);

        // What the seed made, as the fund operator sees it through the API.
        var fund = server.As("gz-fund");
        var loans = new List<Loan>();
        var request = new ListLoansRequest { PageSize = 500 };
        var regulator = server.As("admin");
        do
        {
            var page = await regulator.Loans.ListLoansAsync(request);
            loans.AddRange(page.Loans);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal(60, loans.Count);
        Assert.Contains(loans, l => l.Region == "CN-GD-JM");
        Assert.Contains(loans, l => l.State == LoanState.Overdue);
        Assert.Contains(loans, l => l.State == LoanState.Settled);
        Assert.Contains(loans, l => l.State == LoanState.Current);
        Assert.Contains(loans, l => l.State == LoanState.Rejected);
        Assert.All(loans.Where(l => l.DisbursementDate.Length > 0), l => Assert.True(string.CompareOrdinal(l.DisbursementDate, CliServer.AsOf) <= 0));

        var batch = await server.Run(admin, "batch", "run", "--business-date", CliServer.AsOf);
        Assert.True(batch.ExitCode == 0, batch.ToString());
        Assert.Contains(CliServer.AsOf, batch.Out);

        // The finance bureaus settle the subsidy quarter the seed's banks claimed (the server's today, 2026-07-01, is in Q2's filing month).
        Assert.Contains("Subsidy claims for 2026-Q2:", seed.Out);
        Assert.Contains("Compensation claims:", seed.Out);
        foreach (var finance in new[] { "gz-finance", "jm-finance" })
        {
            var settle = await server.Run(server.Key(finance), "subsidy", "settle", "--business-date", "2026-07-01");
            Assert.True(settle.ExitCode == 0, settle.ToString());
            Assert.Contains("Settled ", settle.Out);
        }
        var claims = await server.As("gz-finance").Subsidy.ListSubsidyClaimsAsync(new ListSubsidyClaimsRequest { Quarter = "2026-Q2" });
        Assert.NotEmpty(claims.Claims);
        Assert.All(claims.Claims, c => Assert.Equal(SubsidyClaimState.SubsidyClaimSettled, c.State));
        Assert.All(claims.Claims, c => Assert.True(c.ApprovedSubsidyFen > 0));
        Assert.Contains("No submitted subsidy claims", (await server.Run(server.Key("gz-finance"), "subsidy", "settle", "--business-date", "2026-07-01")).Out);

        var reconcile = await server.Run(admin, "reconcile", "--to", CliServer.AsOf);
        Assert.True(reconcile.ExitCode == 0, reconcile.ToString());
        Assert.True(reconcile.Out.Contains("institutions/icbc-gz"), reconcile.Out);
        Assert.Contains("Journal and loan book agree for every bank.", reconcile.Out);

        // A bank sends its own loan book as its statement: no breaks; a statement with one balance off has exactly that break.
        var statement = await server.Run(server.Key("icbc-gz"), "reconcile", "statement", "--as-of", CliServer.AsOf);
        Assert.True(statement.ExitCode == 0, statement.ToString());
        Assert.Contains("No breaks.", statement.Out);
        var icbcLoan = loans.First(l => l.Bank == "institutions/icbc-gz" && l.State == LoanState.Current);
        var statementCsv = Path.Combine(server.Directory, "icbc-statement.csv");
        await File.WriteAllLinesAsync(statementCsv, ["loan,outstanding_fen", $"{icbcLoan.Name},{icbcLoan.OutstandingPrincipalFen - 100}"]);
        var breaksCsv = Path.Combine(server.Directory, "breaks.csv");
        // The unit of the amounts is said, never guessed.
        var unitless = await server.Run(server.Key("icbc-gz"), "reconcile", "statement", "--as-of", CliServer.AsOf, "--file", statementCsv);
        Assert.True(unitless.ExitCode == ExitCodes.Usage, unitless.ToString());
        Assert.Contains("--amounts", unitless.Error);
        // A line that does not parse is refused by line and column, and nothing is sent.
        var badCsv = Path.Combine(server.Directory, "icbc-bad.csv");
        await File.WriteAllLinesAsync(badCsv, ["loan,outstanding_fen", $"{icbcLoan.Name},{icbcLoan.OutstandingPrincipalFen}", "loans/L1,1,000,000"]);
        var bad = await server.Run(server.Key("icbc-gz"), "reconcile", "statement", "--as-of", CliServer.AsOf, "--file", badCsv, "--amounts", "fen");
        Assert.True(bad.ExitCode == ExitCodes.Usage, bad.ToString());
        Assert.Contains("icbc-bad.csv: line 3, column 3: unexpected third column '000'", bad.Error);
        var off = await server.Run(server.Key("icbc-gz"), "reconcile", "statement", "--as-of", CliServer.AsOf, "--file", statementCsv, "--amounts", "fen",
            "--breaks-out", breaksCsv);
        // Breaks found: exit 5, so a script notices.
        Assert.True(off.ExitCode == ExitCodes.BreaksFound, off.ToString());
        Assert.Contains(" break(s).", off.Out);
        Assert.Contains(icbcLoan.Name, await File.ReadAllTextAsync(breaksCsv));

        var subsidyCsv = Path.Combine(server.Directory, "subsidy.csv");
        var subsidyExport = await server.Run(server.Key("gz-finance"), "statement", "export", "--kind", "subsidy", "--quarter", "2026-Q2", "--out", subsidyCsv);
        Assert.True(subsidyExport.ExitCode == 0, subsidyExport.ToString());
        Assert.True(File.ReadAllLines(subsidyCsv).Length > 1);

        var verify = await server.Run(null, "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Ledger consistent; every invariant holds.", verify.Out);
        Assert.Contains("ledger_transactions", verify.Out);

        var csvPath = Path.Combine(server.Directory, "loans.csv");
        var export = await server.Run(admin, "statement", "export", "--out", csvPath);
        Assert.True(export.ExitCode == 0, export.ToString());
        var lines = File.ReadAllLines(csvPath);
        Assert.Equal(string.Join(",", StatementCommand.Columns), lines[0].TrimStart('\uFEFF'));
        Assert.Equal(61, lines.Length);
        var overdue = loans.First(l => l.State == LoanState.Overdue);
        var row = lines.Single(line => line.StartsWith(overdue.Name + ",", StringComparison.Ordinal)).Split(',');
        Assert.Equal("Overdue", row[Array.IndexOf(StatementCommand.Columns, "state")]);
        Assert.Equal(overdue.AmountFen.ToString(), row[Array.IndexOf(StatementCommand.Columns, "amount_fen")]);

        var xlsxPath = Path.Combine(server.Directory, "loans.xlsx");
        var xlsx = await server.Run(admin, "statement", "export", "--out", xlsxPath, "--state", "Overdue");
        Assert.True(xlsx.ExitCode == 0, xlsx.ToString());
        // The XLSX a finance official opens: amounts as numbers in yuan, dates as dates, a totals row, the header frozen.
        var overdueLoans = loans.Where(l => l.State == LoanState.Overdue).ToList();
        var sheetRows = MiniExcelLibs.MiniExcel.Query(xlsxPath, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(overdueLoans.Count + 1, sheetRows.Count);
        var first = sheetRows.Single(r => (string?)r["loan"] == overdueLoans[0].Name);
        Assert.Equal(overdueLoans[0].AmountFen / 100m, Convert.ToDecimal(first["amount_yuan"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsType<DateTime>(first["disbursement_date"]);
        Assert.Equal(DateOnly.Parse(overdueLoans[0].DisbursementDate, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), first["disbursement_date"]);
        var totals = sheetRows[^1];
        Assert.Equal($"total ({overdueLoans.Count} rows)", totals["loan"]);
        Assert.Equal(overdueLoans.Sum(l => l.OutstandingPrincipalFen) / 100m,
            Convert.ToDecimal(totals["outstanding_principal_yuan"], System.Globalization.CultureInfo.InvariantCulture));
        using var zip = ZipFile.OpenRead(xlsxPath);
        using var sheet = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var xml = await sheet.ReadToEndAsync();
        Assert.Matches("<x:pane [^>]*ySplit=\"1\"[^>]*state=\"frozen\"|<pane [^>]*ySplit=\"1\"[^>]*state=\"frozen\"", xml);
    }

    [Fact]
    public async Task The_same_seed_replays_the_same_requests_instead_of_creating_more_loans()
    {
        var admin = server.Key("admin");
        var first = await server.Run(admin, "demo", "seed", "--count", "5", "--seed", "99", "--as-of", "2026-05-31");
        Assert.True(first.ExitCode == 0, first.ToString());
        var bank = server.As("admin");
        var before = await CountAsync(bank);
        var again = await server.Run(admin, "demo", "seed", "--count", "5", "--seed", "99", "--as-of", "2026-05-31");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(before, await CountAsync(bank));
    }

    private static async Task<int> CountAsync(Danbao.Client.DanbaoClient client)
    {
        var total = 0;
        var request = new ListLoansRequest { PageSize = 500 };
        do
        {
            var page = await client.Loans.ListLoansAsync(request);
            total += page.Loans.Count;
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return total;
    }
}
