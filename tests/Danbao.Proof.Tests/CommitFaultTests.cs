using System.Diagnostics;
using System.Net;
using Danbao.Client;
using Grpc.Core;
using Danbao.Proof.Tests.Support;
using Danbao.Data.Verification;
using Danbao.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// COMMIT fails with a serialization failure (40001), or succeeds with its answer lost on the way
/// back: the server and clients retry, and no write is posted twice (the idempotency claim turns
/// the retry of a committed write into a replay of its stored reply).
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class CommitFaultTests(ITestOutputHelper output)
{
    private const int InjectedFailures = 40;
    private const int DroppedAnswersMax = 25;

    [Fact]
    public async Task A_COMMIT_failing_with_40001_is_retried_without_double_posting()
    {
        var watch = Stopwatch.StartNew();
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-40001-").FullName;
        await using var server = new ServerProcess(database.ConnectionString, dir);
        try
        {
            await server.StartAsync();
            var loans = await DisbursedLoansAsync(server, 4);
            await using var dataSource = database.CreateDataSource();
            // Every write claims an idempotency key; a deferred trigger on that insert fails the
            // first N COMMITs with 40001. A sequence counts them: it is not rolled back with them.
            await ExecuteAsync(dataSource, $"""
                create sequence proof_commit_faults;
                create function proof_fail_commit() returns trigger language plpgsql as $$
                begin
                    if nextval('proof_commit_faults') <= {InjectedFailures} then
                        raise exception using errcode = '40001', message = 'proof: serialization failure injected at COMMIT';
                    end if;
                    return null;
                end $$;
                create constraint trigger proof_fail_commit after insert on idempotency_keys
                    deferrable initially deferred for each row execute function proof_fail_commit();
                """);
            var load = new WriteLoad(() => server.Client("icbc-gz", TimeSpan.FromSeconds(10)), loans);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(workers: 4, stop.Token);
            var until = DateTime.UtcNow.AddSeconds(60);
            while ((await ScalarAsync(dataSource, "select last_value from proof_commit_faults") < InjectedFailures + 60) && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
            await stop.CancelAsync();
            await running;
            var fired = await ScalarAsync(dataSource, "select last_value from proof_commit_faults");
            output.WriteLine($"COMMITs attempted through the trigger: {fired} ({InjectedFailures} failed with 40001); " + load.Summary());
            foreach (var failure in server.Output.Where(l => l.Contains("fail:", StringComparison.Ordinal)).Select(l => l[..Math.Min(l.Length, 300)]).Distinct().Take(3))
            {
                output.WriteLine("server: " + failure);
            }
            Assert.True(fired > InjectedFailures, "the injected failures were not all used");
            await CheckAsync(load, dataSource);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    [Fact]
    public async Task A_COMMIT_whose_answer_is_lost_is_replayed_not_posted_again()
    {
        var watch = Stopwatch.StartNew();
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-drop-").FullName;
        var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var upstream = new IPEndPoint(IPAddress.Parse(target.Host == "localhost" ? "127.0.0.1" : target.Host!), target.Port);
        var dropping = false;
        var dropped = 0;
        await using var proxy = new CommitDropProxy(upstream, n => Volatile.Read(ref dropping) && n % 3 == 0 && Interlocked.Increment(ref dropped) <= DroppedAnswersMax);
        var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, SslMode = SslMode.Disable };
        await using var server = new ServerProcess(viaProxy.ConnectionString, dir);
        try
        {
            await server.StartAsync();
            var loans = await DisbursedLoansAsync(server, 4);
            Volatile.Write(ref dropping, true);
            var load = new WriteLoad(() => server.Client("icbc-gz", TimeSpan.FromSeconds(10)), loans);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(workers: 4, stop.Token);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (proxy.Dropped < DroppedAnswersMax && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
            await Task.Delay(500);
            await stop.CancelAsync();
            await running;
            output.WriteLine($"{proxy.Commits} COMMITs through the proxy, {proxy.Dropped} answers dropped after PostgreSQL committed; " + load.Summary());
            Assert.True(proxy.Dropped >= 10, $"only {proxy.Dropped} COMMIT answers were dropped: the test proved little");
            await using var dataSource = database.CreateDataSource();
            await CheckAsync(load, dataSource);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    private async Task CheckAsync(WriteLoad load, NpgsqlDataSource dataSource)
    {
        Assert.DoesNotContain(load.Outcomes, o => o.Status is null);
        Assert.False(load.RetriedOn.ContainsKey(StatusCode.Internal), "a transient database failure reached clients as INTERNAL (it is UNAVAILABLE: retry)");
        Assert.True(load.Outcomes.Count(o => o.Status == StatusCode.OK) >= 40, "too few writes acknowledged to prove anything");
        var problems = await load.CheckAsync(dataSource);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var report = await InvariantCheck.RunAsync(dataSource);
        output.WriteLine(report.ToString());
        Assert.True(report.Ok, report.ToString());
    }

    public static async Task<string[]> DisbursedLoansAsync(ServerProcess server, int count)
    {
        await server.CapitaliseFundAsync();
        using var bank = server.Client("icbc-gz");
        using var hrss = server.Client("gz-hrss");
        using var fund = server.Client("gz-fund");
        var lifecycle = new Lifecycle(bank, hrss, fund);
        var loans = new string[count];
        for (var i = 0; i < count; i++)
        {
            loans[i] = (await lifecycle.DisbursedAsync()).Name;
        }
        return loans;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
