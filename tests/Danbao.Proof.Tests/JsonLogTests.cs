using System.Text.Json;
using System.Text.RegularExpressions;
using Danbao.Contracts.V1;
using Danbao.Proof.Tests.Support;
using Danbao.TestSupport;
using Grpc.Core;

namespace Danbao.Proof.Tests;

/// <summary>
/// DANBAO_LOG_FORMAT=json: everything the server process writes, stdout and stderr, is one JSON log
/// record per line, each with a UTC timestamp, so a log shipper never meets a plain-text line.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed partial class JsonLogTests
{
    [Fact]
    public async Task Json_logs_are_one_record_per_line_each_with_a_utc_timestamp_and_nothing_else()
    {
        var dir = Directory.CreateTempSubdirectory("danbao-proof-json-").FullName;
        try
        {
            var postgres = await PostgresServer.GetAsync();
            var database = await postgres.CreateDatabaseAsync();
            // Every OK call logged, so the bank's call below is sure to leave its line.
            await using var server = new ServerProcess(database.ConnectionString, dir, "--log-ok-calls", "1")
            {
                Environment = { ["DANBAO_LOG_FORMAT"] = "json" },
            };
            await server.StartAsync();
            using (var bank = server.Client("icbc-gz"))
            {
                await bank.Identity.WhoAmIAsync(new WhoAmIRequest());
                var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                    await bank.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/no-such-loan" }));
                Assert.Equal(StatusCode.NotFound, refused.StatusCode);
            }
            // The console logger writes from a background queue: wait (bounded) for the second call's line.
            for (var i = 0; i < 100 && !server.Output.Any(l => l.Contains("NOT_FOUND", StringComparison.Ordinal)); i++)
            {
                await Task.Delay(100);
            }
            await server.KillAsync();

            var records = server.Output.Select(line =>
            {
                using var json = JsonDocument.Parse(line); // throws on any line that is not JSON
                return json.RootElement.Clone();
            }).ToList();
            Assert.All(records, r =>
            {
                Assert.Matches(UtcTimestamp(), r.GetProperty("Timestamp").GetString());
                Assert.False(string.IsNullOrEmpty(r.GetProperty("LogLevel").GetString()));
                Assert.False(string.IsNullOrEmpty(r.GetProperty("Category").GetString()));
            });
            Assert.Contains(records, r => r.GetProperty("Message").GetString()!.StartsWith("Danbao is serving gRPC", StringComparison.Ordinal));
            // The call lines carry their fields as JSON, not only in the message.
            var calls = records.Where(r => r.GetProperty("Category").GetString() == "Danbao.Server.Interceptors.CallLogging")
                .Select(r => r.GetProperty("State")).ToList();
            Assert.Contains(calls, s => s.GetProperty("Method").GetString() == "/danbao.v1.IdentityService/WhoAmI"
                && s.GetProperty("Status").GetString() == "OK" && s.GetProperty("Caller").GetString() == "icbc-gz");
            Assert.Contains(calls, s => s.GetProperty("Method").GetString() == "/danbao.v1.LoanService/GetLoan"
                && s.GetProperty("Status").GetString() == "NOT_FOUND");
            // The demo keys stay in their file: none is printed among the records.
            Assert.DoesNotContain(server.Output, l => server.Keys.Values.Any(k => l.Contains(k, StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex UtcTimestamp();
}
