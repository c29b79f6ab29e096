using System.Collections.Concurrent;
using System.CommandLine;
using Danbao.Contracts.V1;
using Grpc.Core;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao demo seed`: a realistic, deterministic data set made through the public API.</summary>
internal static class DemoCommand
{
    public static Command Build(CliContext cli)
    {
        var demo = new Command("demo", "Demonstration data");
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed, as-of date and count give the same data set", DefaultValueFactory = _ => 42 };
        var count = new Option<string>("--count")
        {
            Description = "Number of loan applications: a number, or small (60), medium (1000), full (10000)",
            DefaultValueFactory = _ => "full",
        };
        var asOf = new Option<string>("--as-of") { Description = "Last business date of the data (default today, CST); loans start up to two years before" };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight", DefaultValueFactory = _ => 12 };
        var command = new Command("seed", """
            Create Guangzhou and Jiangmen institutions (a fund operator, an employment service and a finance bureau each,
            five banks), keys for them, and loan applications over two years through the public API: reviewed, publicised,
            guaranteed, disbursed and repaid quarter by quarter; a few rejected, a few overdue, some defaulted (over 90 days);
            then the batch for the as-of date. Key role: ADMIN. Re-running with the same seed replays the same request ids.
            """) { seed, count, asOf, concurrency };
        command.SetAction(async (parse, ct) =>
        {
            var n = ParseCount(parse.GetValue(count)!);
            var inFlight = parse.GetValue(concurrency);
            if (inFlight is < 1 or > 256)
            {
                throw new UsageException("--concurrency must be 1 to 256");
            }
            using var admin = cli.KeyedClient();
            var today = await Dates.OrServerToday(parse.GetValue(asOf), "--as-of", admin, ct);
            var seeder = new DemoSeeder(cli, admin, parse.GetValue(seed), today, inFlight);
            return await seeder.RunAsync(n, ct);
        });
        demo.Add(command);
        demo.Add(BuildYear(cli));
        return demo;
    }

    private static Command BuildYear(CliContext cli)
    {
        var from = new Option<string>("--from") { Description = "First business date of the year YYYY-MM-DD (default the sandbox's today); on or after the sandbox's today" };
        var loans = new Option<int>("--loans") { Description = "Loan applications over the year (1–2000)", DefaultValueFactory = _ => 60 };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight", DefaultValueFactory = _ => 8 };
        var year = new Command("year", """
            Run a whole year on a sandbox (./run.sh) in minutes, through the public API, advancing the business date to each
            day something happens: loans of every borrower type (individual, partnership, enterprise, HK/Macau youth) applied,
            reviewed, publicised, guaranteed, disbursed and repaid on their due dates; one in ten defaults, is compensated by
            the fund and partly recovered; quarterly subsidy claims filed by the banks, reviewed and settled by the finance
            bureaus; awards for the finished year. Ends on 20 January after the year. Key role: ADMIN
            """) { from, loans, concurrency };
        year.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(loans);
            if (n is < 1 or > 2000)
            {
                throw new UsageException("--loans must be 1 to 2000");
            }
            if (parse.GetValue(concurrency) is < 1 or > 64)
            {
                throw new UsageException("--concurrency must be 1 to 64");
            }
            using var admin = cli.KeyedClient();
            var now = await admin.Admin.GetBusinessDateAsync(new GetBusinessDateRequest(), cancellationToken: ct);
            if (now.Environment != "sandbox")
            {
                throw new UsageException($"demo year moves the business date: the server at {cli.Server} is {now.Environment}, not a sandbox (./run.sh starts one)");
            }
            var today = Dates.Parse(now.Date, "the server's business date", default);
            var start = parse.GetValue(from) is { } text ? Dates.Parse(text, "--from", default) : today;
            if (start < today)
            {
                throw new UsageException($"--from {Dates.Text(start)} is before the sandbox's business date {Dates.Text(today)}, which never moves back: give a later --from");
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var summary = await new DemoYear(cli, admin, start, n, parse.GetValue(concurrency)).RunAsync(ct);
            PrintYear(cli, summary, clock.Elapsed);
            return summary.Refusals.Count == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return year;
    }

    private static void PrintYear(CliContext cli, DemoYearSummary s, TimeSpan took)
    {
        cli.Out.WriteLine($"Demo year {Dates.Text(s.From)} … {Dates.Text(s.Until)}: {s.BusinessDays} business days run in {took.TotalSeconds:0} s.");
        var table = new Report("figure", "count", "yuan");
        foreach (var (type, count) in s.LoansByType.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            table.AddRow("applications " + type, $"{count}", "");
        }
        table.AddRow("loans disbursed", $"{s.Disbursed}", "");
        table.AddRow("defaults compensated", $"{s.ClaimsPaid}", "");
        table.AddRow("recoveries", $"{s.Recoveries}", "");
        table.AddRow("subsidy claims settled", $"{s.SubsidyClaimsSettled}", Amounts.Yuan(s.SubsidyPaidFen));
        table.AddRow("awards", "", Amounts.Yuan(s.AwardsFen));
        table.Write(cli);
        foreach (var refusal in s.Refusals)
        {
            cli.Out.WriteLine("REFUSED " + refusal);
        }
        cli.Out.WriteLine($"See it: ./danbao report --region CN-GD-GZ --period {s.From.Year} --out report.html --key @gz-finance");
    }

    public static int ParseCount(string text) => text switch
    {
        "small" => 60,
        "medium" => 1000,
        "full" => 10_000,
        _ when int.TryParse(text, out var n) && n is > 0 and <= 1_000_000 => n,
        _ => throw new UsageException($"--count '{text}': a number from 1 to 1000000, or small, medium, full"),
    };
}

/// <summary>What the seeder made, for the summary and the tests.</summary>
public sealed record DemoSeedSummary(int Loans, int Refused, IReadOnlyDictionary<string, int> ByOutcome);
