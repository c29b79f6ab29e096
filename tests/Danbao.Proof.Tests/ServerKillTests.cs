using System.Diagnostics;
using Danbao.Proof.Tests.Support;
using Danbao.Data.Verification;
using Danbao.TestSupport;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// The server process is killed with SIGKILL at random moments under a write load and restarted;
/// clients retry with the same request_id until answered. Nothing acknowledged is lost or doubled.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class ServerKillTests(ITestOutputHelper output)
{
    private const int Kills = 10;

    [Fact]
    public async Task Every_acknowledged_write_survives_repeated_SIGKILL_exactly_once()
    {
        var watch = Stopwatch.StartNew();
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-kill-").FullName;
        var server = new ServerProcess(database.ConnectionString, dir);
        try
        {
            await server.StartAsync();
            string[] loans;
            await server.CapitaliseFundAsync();
            using (var bank = server.Client("icbc-gz"))
            using (var hrss = server.Client("gz-hrss"))
            using (var fund = server.Client("gz-fund"))
            {
                var lifecycle = new Lifecycle(bank, hrss, fund);
                loans = new string[6];
                for (var i = 0; i < loans.Length; i++)
                {
                    loans[i] = (await lifecycle.DisbursedAsync()).Name;
                }
            }

            var load = new WriteLoad(() => server.Client("icbc-gz", TimeSpan.FromSeconds(5)), loans);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(workers: 6, stop.Token);
            var random = new Random(20270701);
            for (var kill = 1; kill <= Kills; kill++)
            {
                // Let the load get going (a few writes at least), then kill at a random moment.
                var answered = load.Answered;
                var until = DateTime.UtcNow.AddSeconds(10);
                while (load.Answered < answered + 3 && DateTime.UtcNow < until)
                {
                    await Task.Delay(20);
                }
                await Task.Delay(random.Next(0, 400));
                await server.KillAsync();
                await Task.Delay(random.Next(0, 300));
                await server.StartAsync();
            }
            await Task.Delay(500);
            await stop.CancelAsync();
            await running;
            output.WriteLine($"{Kills} kills in {watch.Elapsed.TotalSeconds:F1} s; " + load.Summary());

            Assert.DoesNotContain(load.Outcomes, o => o.Status is null);
            Assert.True(load.Outcomes.Count(o => o.Status == global::Grpc.Core.StatusCode.OK) >= 100, "too few writes acknowledged to prove anything");
            Assert.True(load.Outcomes.Any(o => o.Attempts > 1), "no write was interrupted by a kill: the test proved nothing");
            await using var dataSource = database.CreateDataSource();
            var problems = await load.CheckAsync(dataSource);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            var report = await InvariantCheck.RunAsync(dataSource);
            output.WriteLine(report.ToString());
            Assert.True(report.Ok, report.ToString());
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }
}
