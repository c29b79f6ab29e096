using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Danbao.Cli.Tests;

/// <summary>A sandbox's business date is stored in its database: a restart continues from it and nothing moves it back.</summary>
public sealed class SandboxBusinessDatePersistenceTests
{
    [Fact]
    public async Task A_restarted_sandbox_continues_from_the_business_date_it_had_reached_and_the_database_never_moves_it_back()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-sandbox-restart-").FullName;
        try
        {
            var first = await Start(database.ConnectionString, dir, new DateOnly(2025, 6, 2));
            await using (first.Host)
            {
                using var admin = new DanbaoClient(new Uri($"http://127.0.0.1:{first.Host.Port}"), first.Host.DemoKeys["admin"]);
                await admin.Admin.AdvanceBusinessDateAsync(new AdvanceBusinessDateRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-09-01" });
            }

            // Started again with its old --business-date, or with none: 2025-09-01, where it had got to.
            var again = await Start(database.ConnectionString, dir, new DateOnly(2025, 6, 2));
            await using (again.Host)
            {
                Assert.Equal(new DateOnly(2025, 9, 1), again.Clock.Date);
                using var bank = new DanbaoClient(new Uri($"http://127.0.0.1:{again.Host.Port}"), again.Host.DemoKeys["icbc-gz"]);
                Assert.Equal("2025-09-01", (await bank.Identity.WhoAmIAsync(new WhoAmIRequest())).BusinessDate);
            }
            // A later --business-date moves it forward and is stored.
            var later = await Start(database.ConnectionString, dir, new DateOnly(2025, 10, 8));
            await using (later.Host)
            {
                Assert.Equal(new DateOnly(2025, 10, 8), later.Clock.Date);
            }

            await using var conn = new NpgsqlConnection(database.ConnectionString);
            await conn.OpenAsync();
            await using (var read = new NpgsqlCommand("select business_date from sandbox_business_date", conn))
            {
                Assert.Equal(new DateOnly(2025, 10, 8), (DateOnly)(await read.ExecuteScalarAsync())!);
            }
            await using var back = new NpgsqlCommand("update sandbox_business_date set business_date = '2025-01-01'", conn);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => back.ExecuteNonQueryAsync());
            Assert.Contains("moves forward only", refused.MessageText, StringComparison.Ordinal);
            await using var delete = new NpgsqlCommand("delete from sandbox_business_date", conn);
            await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(DanbaoHost Host, BusinessDateClock Clock)> Start(string connectionString, string dir, DateOnly businessDate)
    {
        var clock = new BusinessDateClock(TimeProvider.System, businessDate);
        var host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0,
            ConnectionString = connectionString,
            DemoKeysFile = Path.Combine(dir, "keys.txt"),
            PiiKeyFile = Path.Combine(dir, "pii.key"),
            Environment = ServerSettings.SandboxEnvironment,
            BusinessDate = businessDate,
        }, clock, logging => logging.SetMinimumLevel(LogLevel.Warning));
        return (host, clock);
    }
}
