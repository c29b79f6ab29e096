using System.Globalization;
using System.Net;
using System.Text;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Reports;

/// <summary>
/// The report as one self-contained HTML page: each chart a PNG inlined as a data: URI, its table beneath.
/// Every figure cell carries the API's value as it came (<c>data-fen</c> for amounts in fen, <c>data-n</c> for
/// counts and basis points) beside the yuan people read, so a test can check the page against the API.
/// </summary>
internal static class ReportPage
{
    private const decimal FenPerWan = 1_000_000m; // 1万元 = 10,000 yuan = 1,000,000 fen

    public static string Render(ReportData data, ReportCharts charts)
    {
        var t = data.Total;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <title>{{E(charts.Label("创业担保贷款报告", "Guarantee loan programme report"))}} {{E(t.Region)}} {{E(t.Period)}}</title>
            <style>
            body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
            th { background: #f0f3f7; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            img { max-width: 100%; }
            p.note { color: #666; font-size: 0.9em; }
            </style>
            </head>
            <body>
            <h1>{{E(charts.Label("创业担保贷款", "Entrepreneurship guarantee loans"))}}: {{E(t.Region)}}, {{E(t.Period)}}</h1>
            <p id="scope" data-region="{{E(t.Region)}}" data-period="{{E(t.Period)}}" data-start="{{t.StartDate}}" data-end="{{t.EndDate}}" data-as-of="{{ReportData.Text(data.AsOf)}}">
            Business dates {{t.StartDate}} to {{ReportData.Text(data.End.AddDays(-1))}}, as of {{ReportData.Text(data.AsOf)}} (the server's business date), read through the Danbao API at {{E(data.Server)}}.
            Amounts in yuan; the charts in 万元 (10,000 yuan).</p>

            """);
        foreach (var note in data.Notes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(note)}</p>\n");
        }
        Programme(html, data, charts);
        Subsidy(html, data, charts);
        Positions(html, data, charts);
        Compensation(html, data, charts);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Programme(StringBuilder html, ReportData data, ReportCharts charts)
    {
        var t = data.Total;
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(charts.Label("项目概况", "Programme figures"))}</h2>\n");
        var quarters = data.Quarters.Select(q => q.Quarter).ToList();
        Image(html, charts.Bars(charts.Label("按季度发放", "Loans disbursed by quarter"), charts.Label("万元", "10,000 yuan"), quarters,
            [
                new Series(charts.Label("发放金额", "disbursed"), data.Quarters.Select(q => Wan((q.Programme.Loans ?? new()).DisbursedFen)).ToArray()),
                new Series(charts.Label("贴息", "subsidy paid"), data.Quarters.Select(q => Wan(q.Programme.SubsidyPaidFen)).ToArray()),
            ]), "loans disbursed and subsidy paid by quarter");
        var loans = t.Loans ?? new ProgrammeLoanTotal();
        Table(html, "programme", ["figure", "count", "yuan"],
        [
            Row("loans-approved", Text("loans approved"), Count(loans.ApprovedLoans), Fen(loans.ApprovedFen)),
            Row("loans-disbursed", Text("loans disbursed"), Count(loans.DisbursedLoans), Fen(loans.DisbursedFen)),
            Row("subsidy-paid", Text("subsidy paid"), Count(t.SubsidyLoans), Fen(t.SubsidyPaidFen)),
            Row("subsidy-clawed-back", Text("subsidy clawed back"), Empty(), Fen(t.SubsidyClawedBackFen)),
            Row("compensation-paid", Text("compensation paid (fund share)"), Count(t.CompensationClaims), Fen(t.CompensationPaidFen)),
            Row("recoveries-net", Text("recoveries (net of costs)"), Count(t.Recoveries), Fen(t.RecoveredNetFen)),
            Row("recoveries-fund", Text("recoveries (fund share)"), Empty(), Fen(t.RecoveredFundFen)),
        ]);
        Table(html, "by-borrower-type", ["borrower type", "approved", "approved (yuan)", "disbursed", "disbursed (yuan)"],
            t.ByBorrowerType.Select(b => Row(b.Key, Text(b.Key), Count(b.ApprovedLoans), Fen(b.ApprovedFen), Count(b.DisbursedLoans), Fen(b.DisbursedFen))));
        Table(html, "by-quarter", ["quarter", "disbursed", "disbursed (yuan)", "subsidy loans", "subsidy paid (yuan)"],
            data.Quarters.Select(q => Row(q.Quarter, Text(q.Quarter), Count((q.Programme.Loans ?? new()).DisbursedLoans), Fen((q.Programme.Loans ?? new()).DisbursedFen),
                Count(q.Programme.SubsidyLoans), Fen(q.Programme.SubsidyPaidFen))));
    }

    private static void Subsidy(StringBuilder html, ReportData data, ReportCharts charts)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(charts.Label("季度贴息（按银行）", "Quarterly subsidy by bank"))}</h2>\n");
        html.Append("<p class=\"note\">Subsidy settled for the interest paid in each quarter (the settlement report), by handling bank.</p>\n");
        var quarters = data.Quarters.Where(q => q.Subsidy is not null).ToList();
        var banks = quarters.SelectMany(q => q.Subsidy!.ByBank.Select(b => b.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (banks.Count > 0)
        {
            Image(html, charts.Bars(charts.Label("季度贴息", "Subsidy by bank"), charts.Label("万元", "10,000 yuan"), quarters.Select(q => q.Quarter).ToList(),
                banks.Select(bank => new Series(bank, quarters.Select(q => Wan(q.Subsidy!.ByBank.FirstOrDefault(b => b.Key == bank)?.SubsidyFen ?? 0)).ToArray())).ToList()),
                "subsidy by bank and quarter");
        }
        Table(html, "subsidy-by-bank", ["quarter", "bank", "loans", "interest (yuan)", "subsidy (yuan)"],
            quarters.SelectMany(q => q.Subsidy!.ByBank.Select(b => Row($"{q.Quarter}|{b.Key}", Text(q.Quarter), Text(b.Key), Count(b.Loans), Fen(b.InterestFen), Fen(b.SubsidyFen)))));
    }

    private static void Positions(StringBuilder html, ReportData data, ReportCharts charts)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(charts.Label("在保余额与放大倍数上限", "Outstanding guarantees against the leverage limit"))}</h2>\n");
        var funds = data.Positions.GroupBy(p => p.Fund).ToList();
        if (funds.Count > 0)
        {
            var dates = funds[0].Select(p => ReportData.Day(p.Date)).ToList();
            var series = new List<Series>();
            var dashed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var fund in funds)
            {
                var id = fund.Key.Replace("institutions/", "", StringComparison.Ordinal);
                series.Add(new Series(charts.Label($"{id} 在保余额", $"{id} outstanding"), fund.Select(p => Wan(p.OutstandingGuaranteesFen)).ToArray()));
                var limit = charts.Label($"{id} 上限", $"{id} limit");
                dashed.Add(limit);
                series.Add(new Series(limit, fund.Select(p => Wan(p.LeverageLimitFen)).ToArray()));
            }
            Image(html, charts.Lines(charts.Label("在保余额", "Outstanding guarantees"), charts.Label("万元", "10,000 yuan"), dates, series, dashed),
                "outstanding guarantees and leverage limit by month-end");
        }
        Table(html, "fund-positions", ["fund", "date", "fund balance (yuan)", "outstanding (yuan)", "k", "limit (yuan)", "in use"],
            data.Positions.Select(p => Row($"{p.Fund}|{p.Date}", Text(p.Fund.Replace("institutions/", "", StringComparison.Ordinal)), Text(p.Date),
                Fen(p.BalanceFen), Fen(p.OutstandingGuaranteesFen), Count(p.LeverageMultipleMax), Fen(p.LeverageLimitFen), Bp(p.LeverageInUseBp))));
    }

    private static void Compensation(StringBuilder html, ReportData data, ReportCharts charts)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(charts.Label("代偿与追偿", "Compensation and recoveries"))}</h2>\n");
        Image(html, charts.Bars(charts.Label("代偿与追偿", "Compensation and recoveries"), charts.Label("万元", "10,000 yuan"), data.Quarters.Select(q => q.Quarter).ToList(),
            [
                new Series(charts.Label("基金代偿", "compensation paid (fund)"), data.Quarters.Select(q => Wan(q.Programme.CompensationPaidFen)).ToArray()),
                new Series(charts.Label("追偿（基金）", "recovered (fund share)"), data.Quarters.Select(q => Wan(q.Programme.RecoveredFundFen)).ToArray()),
            ]), "compensation paid and recoveries by quarter");
        Table(html, "compensation-by-quarter", ["quarter", "claims paid", "compensation (fund, yuan)", "recoveries", "recovered net (yuan)", "recovered (fund, yuan)"],
            data.Quarters.Select(q => Row(q.Quarter, Text(q.Quarter), Count(q.Programme.CompensationClaims), Fen(q.Programme.CompensationPaidFen),
                Count(q.Programme.Recoveries), Fen(q.Programme.RecoveredNetFen), Fen(q.Programme.RecoveredFundFen))));
    }

    private static void Image(StringBuilder html, byte[] png, string alt) =>
        html.Append(CultureInfo.InvariantCulture, $"<img width=\"{ReportCharts.Width}\" height=\"{ReportCharts.Height}\" alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">\n");

    private static void Table(StringBuilder html, string id, string[] headers, IEnumerable<string> rows)
    {
        html.Append(CultureInfo.InvariantCulture, $"<table id=\"{id}\">\n<thead><tr>");
        foreach (var header in headers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(header)}</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append(row);
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static string Row(string key, params string[] cells) => $"<tr data-row=\"{E(key)}\">{string.Concat(cells)}</tr>\n";

    private static string Text(string text) => $"<td>{E(text)}</td>";

    private static string Empty() => "<td class=\"n\"></td>";

    private static string Count(long n) => string.Create(CultureInfo.InvariantCulture, $"<td class=\"n\" data-n=\"{n}\">{n:#,0}</td>");

    private static string Fen(long fen) => string.Create(CultureInfo.InvariantCulture, $"<td class=\"n\" data-fen=\"{fen}\">{Amounts.Yuan(fen)}</td>");

    private static string Bp(int bp) => string.Create(CultureInfo.InvariantCulture, $"<td class=\"n\" data-n=\"{bp}\">{bp / 100m:0.00}%</td>");

    private static double Wan(long fen) => (double)(fen / FenPerWan);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
