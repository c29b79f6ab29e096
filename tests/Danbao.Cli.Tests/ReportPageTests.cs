using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Danbao.Cli.Tests.Support;
using Danbao.Contracts.V1;
using SkiaSharp;

namespace Danbao.Cli.Tests;

/// <summary>
/// (The report page) `danbao report --out report.html` after the demo year, opened in headless Chromium (Debian's chromium, which
/// ./test.sh installs): a screenshot that is not blank, and every figure of the page's tables, as Chromium parsed
/// the page (--dump-dom), equal to what the API answers.
/// </summary>
public sealed partial class DemoYearTests
{
    [Fact]
    public async Task The_report_renders_in_headless_chromium_and_every_figure_on_the_page_equals_the_apis()
    {
        Assert.True(sandbox.Year.ExitCode == 0, sandbox.Year.ToString());
        var page = Path.Combine(sandbox.Directory, "report.html");
        var run = await CliServer.RunWith(sandbox.Environment, "report", "--region", "CN-GD-GZ", "--period", "2025", "--out", page, "--key", "@gz-finance");
        Assert.True(run.ExitCode == 0, run.ToString());
        var html = await File.ReadAllTextAsync(page);
        // Self-contained: four charts inlined, nothing fetched.
        Assert.Equal(4, Regex.Count(html, "<img [^>]*src=\"data:image/png;base64,"));
        Assert.DoesNotMatch("(src|href)=\"(https?:|//)", html);

        var shot = Path.Combine(sandbox.Directory, "report.png");
        await Chromium("--window-size=1100,3600", "--screenshot=" + shot, new Uri(page).AbsoluteUri);
        using (var bitmap = SKBitmap.Decode(shot))
        {
            Assert.Equal((1100, 3600), (bitmap.Width, bitmap.Height));
            var colours = new HashSet<uint>();
            var inked = 0;
            for (var y = 0; y < bitmap.Height; y += 4)
            {
                for (var x = 0; x < bitmap.Width; x += 4)
                {
                    var c = bitmap.GetPixel(x, y);
                    colours.Add((uint)c);
                    inked += c.Red < 200 || c.Green < 200 || c.Blue < 200 ? 1 : 0;
                }
            }
            Assert.True(colours.Count > 50 && inked > bitmap.Width * bitmap.Height / 16 / 50, $"{colours.Count} colours, {inked} inked samples");
        }

        var dom = await Chromium("--dump-dom", new Uri(page).AbsoluteUri);
        using var finance = sandbox.As("gz-finance");
        var total = await finance.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = "2025" });
        var programme = Table(dom, "programme");
        Assert.Equal([total.Loans.ApprovedLoans, total.Loans.ApprovedFen], programme["loans-approved"]);
        Assert.Equal([total.Loans.DisbursedLoans, total.Loans.DisbursedFen], programme["loans-disbursed"]);
        Assert.Equal([total.SubsidyLoans, total.SubsidyPaidFen], programme["subsidy-paid"]);
        Assert.Equal([total.CompensationClaims, total.CompensationPaidFen], programme["compensation-paid"]);
        Assert.Equal([total.Recoveries, total.RecoveredNetFen], programme["recoveries-net"]);
        Assert.Equal([total.RecoveredFundFen], programme["recoveries-fund"]);
        Assert.Equal(total.ByBorrowerType.ToDictionary(t => t.Key, t => new List<long> { t.ApprovedLoans, t.ApprovedFen, t.DisbursedLoans, t.DisbursedFen }),
            Table(dom, "by-borrower-type"));

        var byBank = new Dictionary<string, List<long>>();
        var byQuarter = new Dictionary<string, List<long>>();
        var compensation = new Dictionary<string, List<long>>();
        foreach (var quarter in new[] { "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4" })
        {
            var q = await finance.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = quarter });
            byQuarter[quarter] = [q.Loans.DisbursedLoans, q.Loans.DisbursedFen, q.SubsidyLoans, q.SubsidyPaidFen];
            compensation[quarter] = [q.CompensationClaims, q.CompensationPaidFen, q.Recoveries, q.RecoveredNetFen, q.RecoveredFundFen];
            var settlement = await finance.Subsidy.GetSubsidySettlementReportAsync(new GetSubsidySettlementReportRequest { Region = "CN-GD-GZ", Quarter = quarter });
            foreach (var bank in settlement.ByBank)
            {
                byBank[$"{quarter}|{bank.Key}"] = [bank.Loans, bank.InterestFen, bank.SubsidyFen];
            }
        }
        Assert.Equal(byQuarter, Table(dom, "by-quarter"));
        Assert.Equal(compensation, Table(dom, "compensation-by-quarter"));
        Assert.Equal(16, byBank.Count); // four Guangzhou banks, four quarters
        Assert.Equal(byBank, Table(dom, "subsidy-by-bank"));

        var positions = await finance.Fund.ListFundPositionsAsync(new ListFundPositionsRequest { Region = "CN-GD-GZ", StartDate = "2025-01-01", EndDate = "2025-12-31" });
        Assert.Equal(positions.Positions.ToDictionary(p => $"{p.Fund}|{p.Date}",
                p => new List<long> { p.BalanceFen, p.OutstandingGuaranteesFen, p.LeverageMultipleMax, p.LeverageLimitFen, p.LeverageInUseBp }),
            Table(dom, "fund-positions"));

        // What people read is the same figure: every amount cell shows its fen in yuan.
        foreach (Match cell in AmountCell().Matches(dom))
        {
            Assert.Equal(Amounts.Yuan(long.Parse(cell.Groups[1].Value, CultureInfo.InvariantCulture)), cell.Groups[2].Value);
        }
    }

    /// <summary>A table's rows by data-row, each the figures of its cells (data-n and data-fen) in order.</summary>
    private static Dictionary<string, List<long>> Table(string dom, string id)
    {
        var table = Regex.Match(dom, $"<table id=\"{id}\">(.*?)</table>", RegexOptions.Singleline);
        Assert.True(table.Success, $"no table {id} in the page");
        return RowPattern().Matches(table.Groups[1].Value).ToDictionary(
            row => System.Net.WebUtility.HtmlDecode(row.Groups[1].Value),
            row => FigurePattern().Matches(row.Groups[2].Value).Select(f => long.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture)).ToList());
    }

    /// <summary>Runs Debian's headless Chromium (as root it needs --no-sandbox) and returns what it printed.</summary>
    private static async Task<string> Chromium(params string[] args)
    {
        var executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(executable is not null, "headless Chromium is needed: apt-get install chromium (./test.sh installs it)");
        var start = new ProcessStartInfo(executable!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await error}");
        return await output;
    }

    [GeneratedRegex("<tr data-row=\"([^\"]*)\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("data-(?:n|fen)=\"(-?[0-9]+)\"")]
    private static partial Regex FigurePattern();

    [GeneratedRegex("data-fen=\"(-?[0-9]+)\">([^<]*)<")]
    private static partial Regex AmountCell();
}
