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
        return demo;
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
