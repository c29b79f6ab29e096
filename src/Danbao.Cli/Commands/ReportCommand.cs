using System.CommandLine;
using System.Globalization;
using System.Text;
using Danbao.Contracts.V1;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao report programme`: the programme's figures for a region and period, as the employment service publishes them.</summary>
internal static class ReportCommand
{
    public static Command Build(CliContext cli)
    {
        var report = new Command("report", """
            Programme reports. With --out: one self-contained HTML page for the finance bureau and the fund (charts with their
            tables: programme figures, quarterly subsidy by bank, outstanding guarantees against the leverage limit, compensation
            and recoveries), read through the API. Key role: FINANCE_BUREAU (its region) or ADMIN
            """);
        var pageRegion = new Option<string>("--region") { Description = "Region, e.g. CN-GD-GZ (it and the regions within it; default the key's)" };
        var pagePeriod = new Option<string>("--period") { Description = "Period: a year (2025), a half-year (2025-H1) or a quarter (2025-Q3)" };
        var pageOut = new Option<FileInfo>("--out") { Description = "Write the HTML page here, e.g. report.html" };
        report.Add(pageRegion);
        report.Add(pagePeriod);
        report.Add(pageOut);
        report.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(pagePeriod) is not { } periodText || parse.GetValue(pageOut) is not { } outFile)
            {
                throw new UsageException("danbao report --region R --period P --out report.html (or: danbao report programme …)");
            }
            using var client = cli.KeyedClient();
            var data = await Reports.ReportData.ReadAsync(client, cli.Server, parse.GetValue(pageRegion) ?? "", periodText, ct);
            var cjk = Reports.CjkFont.Register(cli.Environment);
            if (!cjk)
            {
                await cli.Error.WriteLineAsync("danbao: no CJK font found (install Debian's fonts-noto-cjk, or set DANBAO_CJK_FONT): chart labels in English only");
            }
            var html = Reports.ReportPage.Render(data, new Reports.ReportCharts(cjk));
            await File.WriteAllTextAsync(outFile.FullName, html, new UTF8Encoding(false), ct);
            var loans = data.Total.Loans ?? new ProgrammeLoanTotal();
            Output.Write(cli, data.Total, $"Wrote {outFile.FullName} ({html.Length / 1024} KiB): {data.Total.Region} {data.Total.Period}, "
                + $"{loans.DisbursedLoans} loans disbursed ({Dates.Yuan(loans.DisbursedFen)} yuan), subsidy paid {Dates.Yuan(data.Total.SubsidyPaidFen)} yuan.");
            return ExitCodes.Ok;
        });
        var region = new Option<string>("--region") { Description = "Region, e.g. CN-GD-GZ (it and the regions within it; default the key's)" };
        var period = new Option<string>("--period") { Description = "Period: a year (2025), a half-year (2025-H1) or a quarter (2025-Q3)", Required = true };
        var csv = new Option<bool>("--csv") { Description = "Print CSV (group,key,approved_loans,approved_fen,disbursed_loans,disbursed_fen) and the totals as rows" };
        var programme = new Command("programme", """
            Loans approved and disbursed (count, amount) by borrower type and key group, subsidy paid, compensation paid and
            recoveries, for a region and period. Key role: FINANCE_BUREAU, EMPLOYMENT_SERVICE (their region) or ADMIN
            """) { region, period, csv };
        programme.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var r = await client.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest
            {
                Region = parse.GetValue(region) ?? "", Period = parse.GetRequiredValue(period),
            }, cancellationToken: ct);
            var rows = new List<(string Group, ProgrammeLoanTotal Total)> { ("all", r.Loans ?? new ProgrammeLoanTotal()) };
            rows.AddRange(r.ByBorrowerType.Select(t => ("borrower_type", t)));
            rows.AddRange(r.ByKeyGroup.Select(t => ("key_group", t)));
            if (parse.GetValue(csv))
            {
                cli.Out.Write(Csv(r, rows));
                return ExitCodes.Ok;
            }
            cli.Out.WriteLine($"Programme figures for {r.Region}, {r.Period} ({r.StartDate} … {r.EndDate}, end exclusive):");
            var table = new Table().AddColumns("group", "key", "approved", "approved (yuan)", "disbursed", "disbursed (yuan)");
            foreach (var (group, t) in rows)
            {
                table.AddRow(group, Markup.Escape(t.Key), $"{t.ApprovedLoans}", Dates.Yuan(t.ApprovedFen), $"{t.DisbursedLoans}", Dates.Yuan(t.DisbursedFen));
            }
            cli.Console.Write(table);
            var money = new Table().AddColumns("figure", "count", "yuan");
            money.AddRow("subsidy paid", $"{r.SubsidyLoans}", Dates.Yuan(r.SubsidyPaidFen));
            money.AddRow("subsidy clawed back", "", Dates.Yuan(r.SubsidyClawedBackFen));
            money.AddRow("compensation paid (fund)", $"{r.CompensationClaims}", Dates.Yuan(r.CompensationPaidFen));
            money.AddRow("recoveries (net)", $"{r.Recoveries}", Dates.Yuan(r.RecoveredNetFen));
            money.AddRow("recoveries (fund share)", "", Dates.Yuan(r.RecoveredFundFen));
            cli.Console.Write(money);
            return ExitCodes.Ok;
        });
        report.Add(programme);
        return report;
    }

    /// <summary>Loan rows, then the money figures as rows of the same shape (count in *_loans, amount in *_fen).</summary>
    internal static string Csv(ProgrammeReport r, IEnumerable<(string Group, ProgrammeLoanTotal Total)> rows)
    {
        var text = new StringBuilder("region,period,group,key,approved_loans,approved_fen,disbursed_loans,disbursed_fen\n");
        foreach (var (group, t) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},{group},{Domain.Text.CsvCell.Escape(t.Key)},{t.ApprovedLoans},{t.ApprovedFen},{t.DisbursedLoans},{t.DisbursedFen}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},subsidy_paid,,{r.SubsidyLoans},{r.SubsidyPaidFen},,\n");
        text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},subsidy_clawed_back,,,{r.SubsidyClawedBackFen},,\n");
        text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},compensation_paid,,{r.CompensationClaims},{r.CompensationPaidFen},,\n");
        text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},recoveries_net,,{r.Recoveries},{r.RecoveredNetFen},,\n");
        text.Append(CultureInfo.InvariantCulture, $"{r.Region},{r.Period},recoveries_fund_share,,,{r.RecoveredFundFen},,\n");
        return text.ToString();
    }
}
