using System.CommandLine;
using System.Globalization;
using Danbao.Client;
using Danbao.Contracts.V1;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>
/// `danbao statement export`: the loan book as the caller sees it (a bank its own loans, a fund
/// operator or bureau its region, an admin everything), one row per loan, to CSV or XLSX.
/// </summary>
internal static class StatementCommand
{
    /// <summary>The columns, in order: the contract of the exported file.</summary>
    public static readonly string[] Columns =
    [
        "loan", "bank", "region", "district", "state", "borrower_type", "amount_fen", "amount_yuan", "term_months",
        "contract_rate_bp", "repayment_method", "contract_date", "disbursement_date", "maturity_date",
        "outstanding_principal_fen", "unpaid_interest_fen", "interest_paid_to_date", "overdue_days",
        "fund_risk_share_bp", "guarantee_fund", "settled_date",
    ];

    public static Command Build(CliContext cli)
    {
        var statement = new Command("statement", "Statements for reconciliation");
        var output = new Option<FileInfo>("--out", "-o") { Description = "File to write; .csv or .xlsx (default loans-<date>.csv)" };
        var format = new Option<string>("--format") { Description = "csv or xlsx (default: from --out's extension, else csv)" };
        format.AcceptOnlyFromAmong("csv", "xlsx");
        var bank = new Option<string>("--bank") { Description = "Only this bank's loans (fund operators, bureaus, admin)" };
        var state = new Option<LoanState>("--state") { Description = "Only loans in this state, e.g. Current, Overdue" };
        var what = new Option<string>("--kind") { Description = "loans: the loan book; subsidy: the settled subsidy of a quarter, per loan", DefaultValueFactory = _ => "loans" };
        what.AcceptOnlyFromAmong("loans", "subsidy");
        var quarter = new Option<string>("--quarter") { Description = "With --kind subsidy: the quarter YYYY-QN" };
        var region = new Option<string>("--region") { Description = "With --kind subsidy: the region (default the key's)" };
        var export = new Command("export", "Export the loan book (one row per loan), or a quarter's settled subsidy per loan, as CSV or XLSX")
        {
            output, format, what, bank, state, quarter, region,
        };
        export.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(output);
            var kind = parse.GetValue(format)
                ?? (file?.Extension.Equals(".xlsx", StringComparison.OrdinalIgnoreCase) == true ? "xlsx" : "csv");
            var subject = parse.GetValue(what)!;
            var path = file?.FullName ?? Path.GetFullPath($"{subject}-{Dates.Text(CliContext.TodayCst())}.{kind}");
            using var client = cli.KeyedClient();
            if (subject == "subsidy")
            {
                var q = parse.GetValue(quarter) ?? throw new UsageException("--kind subsidy needs --quarter YYYY-QN");
                var bytes = await client.Subsidy.ExportSubsidySettlementReportCsvAsync(new GetSubsidySettlementReportRequest { Quarter = q, Region = parse.GetValue(region) ?? "" }, ct);
                var count = await WriteServerCsvAsync(path, kind, "subsidy", bytes);
                cli.Out.WriteLine($"Wrote {count} subsidy rows for {q} to {path}");
                return ExitCodes.Ok;
            }
            var request = new ListLoansRequest { PageSize = 500, State = parse.GetValue(state), Bank = parse.GetValue(bank) ?? "" };
            var rows = new List<string[]>();
            var totals = new Dictionary<LoanState, (int Count, long Outstanding)>();
            await cli.Console.Status().StartAsync("Reading loans…", async status =>
            {
                do
                {
                    var page = await client.Loans.ListLoansAsync(request, cancellationToken: ct);
                    foreach (var loan in page.Loans)
                    {
                        rows.Add(Row(loan));
                        totals[loan.State] = totals.TryGetValue(loan.State, out var t) ? (t.Count + 1, t.Outstanding + loan.OutstandingPrincipalFen) : (1, loan.OutstandingPrincipalFen);
                    }
                    status.Status($"Reading loans… {rows.Count}");
                    request.PageToken = page.NextPageToken;
                }
                while (request.PageToken.Length > 0);
            });
            if (kind == "xlsx")
            {
                Spreadsheet.Write(path, "loans", Columns, rows);
            }
            else
            {
                // Every cell through CsvCell: bank-chosen text (a district "=HYPERLINK(…)") is never a formula (issue 14).
                await using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(true));
                await writer.WriteAsync(Danbao.Domain.Text.CsvCell.Row(Columns.Select(Cell)) + "\r\n");
                foreach (var row in rows)
                {
                    await writer.WriteAsync(Danbao.Domain.Text.CsvCell.Row(row.Select(Cell)) + "\r\n");
                }
            }
            var table = new Report("state", "loans", "outstanding principal (yuan)");
            foreach (var (s, t) in totals.OrderBy(p => p.Key))
            {
                table.AddRow(s.ToString(), $"{t.Count}", Amounts.Yuan(t.Outstanding));
            }
            table.Write(cli);
            cli.Out.WriteLine($"Wrote {rows.Count} loans to {path}");
            return ExitCodes.Ok;
        });
        statement.Add(export);
        return statement;
    }

    /// <summary>A CSV the server made, as is (csv) or as a sheet (xlsx); returns the number of data rows.</summary>
    private static async Task<int> WriteServerCsvAsync(string path, string kind, string sheet, byte[] csvBytes)
    {
        using var reader = new CsvHelper.CsvReader(new StringReader(System.Text.Encoding.UTF8.GetString(csvBytes)), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.Parser.Record ?? []);
        }
        if (kind == "xlsx")
        {
            Spreadsheet.Write(path, sheet, rows.Count > 0 ? rows[0] : [], rows.Skip(1));
        }
        else
        {
            await File.WriteAllBytesAsync(path, csvBytes);
        }
        return Math.Max(0, rows.Count - 1);
    }

    /// <summary>A number the CLI formatted stays a number; any other text is escaped.</summary>
    private static string Cell(string text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
            ? Danbao.Domain.Text.CsvCell.Plain(text)
            : Danbao.Domain.Text.CsvCell.Escape(text);

    private static string[] Row(Loan l) =>
    [
        l.Name, l.Bank, l.Region, l.District, l.State.ToString(), l.Borrower?.Type.ToString() ?? "",
        I(l.AmountFen), (l.AmountFen / 100m).ToString("0.00", CultureInfo.InvariantCulture), I(l.TermMonths),
        I(l.ContractRateBp), l.RepaymentMethod.ToString(), l.ContractDate, l.DisbursementDate, l.MaturityDate,
        I(l.OutstandingPrincipalFen), I(l.UnpaidInterestFen), l.InterestPaidToDate, I(l.OverdueDays),
        I(l.FundRiskShareBp), l.GuaranteeFund, l.SettledDate,
    ];

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
