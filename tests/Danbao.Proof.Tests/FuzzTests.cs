using Grpc.Net.Client;
using System.Diagnostics;
using System.Net;
using Danbao.Client;
using Grpc.Core;
using Danbao.Proof.Tests.Support;
using Danbao.TestSupport;
using Grpc.Health.V1;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// 100,000+ malformed or absurd calls against the real server process: every one gets a gRPC
/// status (never a hang, never a crash), the server keeps SERVING with bounded memory, and
/// refused calls change nothing in the database.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int MalformedCalls = 70_000;
    private const int AbsurdCalls = 30_000;
    private const int Concurrency = 64;
    private const long RssLimitKib = 400 * 1024;

    [Fact]
    public async Task Malformed_calls_all_get_a_status_and_change_nothing()
    {
        var watch = Stopwatch.StartNew();
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-fuzz-").FullName;
        await using var server = new ServerProcess(database.ConnectionString, dir);
        try
        {
            await server.StartAsync();
            await using var dataSource = database.CreateDataSource();
            await server.CapitaliseFundAsync();
            using (var bank = server.Client("icbc-gz"))
            using (var hrss = server.Client("gz-hrss"))
            using (var fund = server.Client("gz-fund"))
            {
                await new Lifecycle(bank, hrss, fund).DisbursedAsync(); // something to read, repay and change
            }
            using var fuzzer = new Fuzzer(server.Address, server.Keys.Values);
            output.WriteLine($"{fuzzer.Methods.Count} danbao.v1 methods: {string.Join(", ", fuzzer.Methods.Select(m => m.Name))}");
            await fuzzer.RunAsync(2_000, Concurrency, malformedOnly: true, seed: 1); // warm-up (JIT, pools)
            var rssBefore = server.RssKib();
            var rowsBefore = await RowCountsAsync(dataSource);

            var malformed = await fuzzer.RunAsync(MalformedCalls, Concurrency, malformedOnly: true, seed: 2);
            var rowsAfterMalformed = await RowCountsAsync(dataSource);
            var acceptedMalformed = fuzzer.AcceptedWrites.ToList();
            fuzzer.AcceptedWrites.Clear();
            var absurd = await fuzzer.RunAsync(AbsurdCalls, Concurrency, malformedOnly: false, seed: 3);
            var oversize = await OversizeAsync(server, 20);
            var rowsAfter = await RowCountsAsync(dataSource);
            var rssAfter = server.RssKib();

            using var grpc = GrpcChannel.ForAddress(server.Address);
            var health = await ServerProcess.HealthAsync(grpc);
            output.WriteLine($"{fuzzer.Calls} calls ({MalformedCalls} malformed in {malformed.TotalSeconds:F1} s = {MalformedCalls / malformed.TotalSeconds:F0} calls/s; "
                + $"{AbsurdCalls} well-formed but absurd in {absurd.TotalSeconds:F1} s = {AbsurdCalls / absurd.TotalSeconds:F0} calls/s); {Concurrency} concurrent streams");
            output.WriteLine("statuses: " + string.Join(", ", fuzzer.Histogram.OrderByDescending(h => h.Value).Select(h => $"{h.Key} {h.Value}")));
            foreach (var (kind, answers) in fuzzer.ByCase.OrderBy(c => c.Key))
            {
                output.WriteLine($"  {kind}: " + string.Join(", ", answers.OrderByDescending(h => h.Value).Select(h => $"{h.Key} {h.Value}")));
            }
            output.WriteLine($"oversize 4.5 MB messages: {string.Join(", ", oversize)}");
            output.WriteLine($"RSS before {rssBefore / 1024} MB, after {rssAfter / 1024} MB; health {health}; process alive {!server.HasExited}");
            var failures = server.Output.Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal) || l.Contains("Unhandled", StringComparison.Ordinal)).ToList();
            // A stream aborted by the client's own connection error is not a server failure (though it is logged as one).
            var errors = failures.Where(l => !l.Contains("The request stream was aborted", StringComparison.Ordinal)).ToList();
            output.WriteLine($"server error log lines: {failures.Count} ({failures.Count - errors.Count} of them streams aborted by the client's connection error)");
            foreach (var line in errors.Take(10))
            {
                output.WriteLine("  " + line);
            }
            if (!fuzzer.AcceptedWrites.IsEmpty)
            {
                output.WriteLine("writes accepted: " + string.Join("; ", fuzzer.AcceptedWrites.GroupBy(w => w).Select(g => $"{g.Key} ×{g.Count()}")));
            }

            Assert.True(fuzzer.Improper.IsEmpty, $"{fuzzer.Improper.Count} calls without a proper status, e.g.:\n" + string.Join("\n", fuzzer.Improper.Take(20)));
            Assert.False(server.HasExited, "the server died");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health);
            Assert.True(rssAfter < RssLimitKib, $"RSS {rssAfter / 1024} MB after fuzzing (before: {rssBefore / 1024} MB)");
            Assert.All(oversize, s => Assert.Equal(StatusCode.ResourceExhausted.ToString(), s));
            Assert.Empty(acceptedMalformed);
            Assert.Equal(rowsBefore, rowsAfterMalformed);
            // Well-formed calls may be legitimate: RunBatch with every field empty runs today's batch.
            Assert.All(fuzzer.AcceptedWrites, w => Assert.EndsWith("BatchService.RunBatch", w));
            // Malformed framing, encoding, credentials or method never succeed. (Unknown fields are
            // ignored, invalid UTF-8 decodes to U+FFFD as protobuf does, and random bytes are sometimes a valid message: those may succeed.)
            string[] neverOk = ["random-body", "truncated-frame", "short-length", "long-length", "oversize-prefix", "compressed-no-encoding",
                "unknown-encoding", "metadata-utf8", "bad-key", "no-credentials", "content-type", "unknown-method", "two-messages", .. Fuzzer.RefusedKinds];
            Assert.DoesNotContain("OK", fuzzer.ByCase.Where(c => neverOk.Contains(c.Key)).SelectMany(c => c.Value.Keys));
            Assert.True(errors.Count == 0, "server failures:\n" + string.Join("\n", errors.Take(5)));
            if (fuzzer.AcceptedWrites.IsEmpty)
            {
                Assert.Equal(rowsBefore, rowsAfter);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>Real messages over the 4 MiB limit (with valid credentials): RESOURCE_EXHAUSTED.</summary>
    private static async Task<List<string>> OversizeAsync(ServerProcess server, int count)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        var key = server.Keys["icbc-gz"];
        var results = new List<string>();
        var payload = new byte[5 + 4_500_000];
        payload[1] = 0x00; // length 4,500,000 big-endian
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), 4_500_000);
        new Random(5).NextBytes(payload.AsSpan(5));
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "/danbao.v1.LoanService/CreateLoan"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(payload),
            };
            request.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
            request.Headers.TryAddWithoutValidation("authorization", "Bearer " + key);
            request.Headers.TryAddWithoutValidation("te", "trailers");
            try
            {
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                var status = response.Headers.TryGetValues("grpc-status", out var h) ? h.First()
                    : response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First() : null;
                results.Add(status is null ? $"http{(int)response.StatusCode}" : ((StatusCode)int.Parse(status)).ToString());
            }
            catch (HttpRequestException ex)
            {
                results.Add("error:" + ex.Message);
            }
        }
        return results;
    }

    /// <summary>Exact row counts of every table.</summary>
    public static async Task<Dictionary<string, long>> RowCountsAsync(NpgsqlDataSource dataSource)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var tables = new List<string>();
        await using (var cmd = new NpgsqlCommand("select tablename from pg_tables where schemaname = 'public' order by 1", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from \"{table}\"", conn);
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }
        return counts;
    }
}
