using Grpc.Net.Client;
using System.Collections.Concurrent;
using System.Diagnostics;
using Danbao.Client;
using Grpc.Core;
using Danbao.Proof.Tests.Support;
using Danbao.Data.Verification;
using Grpc.Health.V1;
using Npgsql;
using Xunit.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Danbao.Proof.Tests;

/// <summary>
/// PostgreSQL restarts under a write load (a private cluster: the run's shared one is never
/// touched): health goes NOT_SERVING, then SERVING again, and no acknowledged write is lost.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Health_follows_a_database_restart_and_no_acknowledged_write_is_lost()
    {
        var watch = Stopwatch.StartNew();
        // Named like TestSupport's clusters (danbao-pg-PID-…), so a run killed midway has it removed by the next.
        var pgDir = Path.Combine(Path.GetTempPath(), $"danbao-pg-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var pgPort = ServerProcess.FreePort();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-pgrestart-").FullName;
        try
        {
            await PgAsync("start", pgDir, pgPort.ToString(), "--fast");
            var admin = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=postgres;Pooling=false";
            await using (var conn = new NpgsqlConnection(admin))
            {
                await conn.OpenAsync();
                await using var create = new NpgsqlCommand("create database danbao", conn);
                await create.ExecuteNonQueryAsync();
            }
            var connectionString = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=danbao";
            await using var server = new ServerProcess(connectionString, dir);
            await server.StartAsync(); // --migrate applies every migration to the empty database
            var loans = await CommitFaultTests.DisbursedLoansAsync(server, 4);

            using var grpc = GrpcChannel.ForAddress(server.Address);
            var seen = new ConcurrentQueue<(TimeSpan At, ServingStatus? Status)>();
            using var stopWatching = new CancellationTokenSource();
            var watching = Task.Run(async () =>
            {
                while (!stopWatching.IsCancellationRequested)
                {
                    seen.Enqueue((watch.Elapsed, await ServerProcess.HealthAsync(grpc)));
                    await Task.Delay(100);
                }
            });

            var load = new WriteLoad(() => server.Client("icbc-gz", TimeSpan.FromSeconds(10)), loans);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(workers: 4, stop.Token);
            await Task.Delay(2000);
            var acknowledgedBefore = load.Outcomes.Count(o => o.Status == StatusCode.OK);
            var stoppedAt = watch.Elapsed;
            await PgAsync("stop", pgDir);
            var notServing = await WaitForAsync(grpc, ServingStatus.NotServing, TimeSpan.FromSeconds(15));
            await Task.Delay(1000);
            var startedAt = watch.Elapsed;
            await PgAsync("start", pgDir, pgPort.ToString(), "--fast");
            var serving = await WaitForAsync(grpc, ServingStatus.Serving, TimeSpan.FromSeconds(20));
            var answeredAfter = load.Answered;
            var until = DateTime.UtcNow.AddSeconds(15);
            while (load.Answered < answeredAfter + 20 && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
            await stop.CancelAsync();
            await running;
            await stopWatching.CancelAsync();
            await watching;

            output.WriteLine($"database stopped at {stoppedAt.TotalSeconds:F1} s, NOT_SERVING seen {notServing?.TotalSeconds:F1} s; "
                + $"started at {startedAt.TotalSeconds:F1} s, SERVING again {serving?.TotalSeconds:F1} s");
            output.WriteLine("health seen: " + string.Join(" → ", Transitions(seen)));
            output.WriteLine($"{acknowledgedBefore} writes acknowledged before the stop; " + load.Summary());
            Assert.NotNull(notServing);
            Assert.NotNull(serving);
            Assert.True(acknowledgedBefore > 0);
            Assert.DoesNotContain(load.Outcomes, o => o.Status is null);
            Assert.False(load.RetriedOn.ContainsKey(StatusCode.Internal), "a database restart reached clients as INTERNAL (it is UNAVAILABLE: retry)");
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var problems = await load.CheckAsync(dataSource);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            var report = await InvariantCheck.RunAsync(dataSource);
            output.WriteLine(report.ToString());
            Assert.True(report.Ok, report.ToString());
        }
        finally
        {
            await PgAsync("destroy", pgDir);
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    private static IEnumerable<string> Transitions(IEnumerable<(TimeSpan At, ServingStatus? Status)> seen)
    {
        ServingStatus? last = (ServingStatus)(-1);
        foreach (var (at, status) in seen)
        {
            if (status != last)
            {
                yield return $"{status?.ToString() ?? "no answer"} @{at.TotalSeconds:F1}s";
                last = status;
            }
        }
    }

    private static async Task<TimeSpan?> WaitForAsync(GrpcChannel grpc, ServingStatus wanted, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (await ServerProcess.HealthAsync(grpc) == wanted)
            {
                return watch.Elapsed;
            }
            await Task.Delay(100);
        }
        return null;
    }

    private static async Task PgAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(ServerProcess.RepoRoot, "scripts", "pg.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }
}

/// <summary>What a client hears while the database is unreachable.</summary>
[Collection(ProofCollection.Name)]
public sealed class DatabaseDownTests
{
    // Found by PostgresRestartTests and CommitFaultTests (clients saw INTERNAL while PostgreSQL was
    // down, and when 40001 outlasted the server's transaction retries). INTERNAL tells clients,
    // the SDK's own retry included, not to retry: a transient database failure is UNAVAILABLE
    // (Hosting/DatabaseFailureStatus).
    [Fact]
    public async Task A_call_while_the_database_is_down_is_UNAVAILABLE()
    {
        var dir = Directory.CreateTempSubdirectory("danbao-proof-dbdown-").FullName;
        try
        {
            var nowhere = $"Host=127.0.0.1;Port={ServerProcess.FreePort()};Username=postgres;Database=danbao;Timeout=2";
            await using var server = new ServerProcess(nowhere, dir) { Demo = false };
            await server.StartAsync();
            using var client = new Danbao.Client.DanbaoClient(server.Address, "dbk_abcdefghijkl_" + new string('b', 43),
                new Danbao.Client.DanbaoClientOptions { Timeout = TimeSpan.FromSeconds(5) });
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.Identity.WhoAmIAsync(new Danbao.Contracts.V1.WhoAmIRequest()));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
