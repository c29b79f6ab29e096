using Danbao.Cli.Tests.Support;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Migrations;
using Grpc.Core;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests;

public sealed class KeysAndPolicyTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task A_key_created_through_the_cli_authenticates_until_it_is_revoked()
    {
        var admin = server.Key("admin");
        var created = await server.Run(admin, "keys", "create", "--institution", "ccb-gz", "--description", "core banking");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = created.Out.Trim();
        Assert.StartsWith("dbk_", secret);

        var who = await server.Run(secret, "whoami");
        Assert.Contains("institutions/ccb-gz role=Bank", who.Out);

        var list = await server.Run(admin, "keys", "list", "--institution", "ccb-gz");
        Assert.Contains("core banking", list.Out);
        Assert.DoesNotContain(secret, list.Out);

        var keyId = secret.Split('_')[1];
        var revoked = await server.Run(admin, "keys", "revoke", keyId);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        var after = await server.Run(secret, "whoami");
        Assert.Equal(ExitCodes.Refused, after.ExitCode);
        Assert.Contains("UNAUTHENTICATED", after.Error);
    }

    [Fact]
    public async Task Bootstrap_makes_the_first_admin_key_on_the_database_once_and_the_server_accepts_it()
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync(migrated: false);
        var env = new Dictionary<string, string?> { ["DANBAO_DB"] = database.ConnectionString };

        var migrate = await CliServer.RunWith(env, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains("applied 0001_idempotency_keys", migrate.Out);
        Assert.Contains("up to date", (await CliServer.RunWith(env, "migrate")).Out);

        var first = await CliServer.RunWith(env, "keys", "create", "--bootstrap", "--institution", "admin");
        Assert.True(first.ExitCode == 0, first.ToString());
        var secret = first.Out.Trim();
        Assert.Matches("^dbk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$", secret);

        var second = await CliServer.RunWith(env, "keys", "create", "--bootstrap", "--institution", "admin");
        Assert.Equal(ExitCodes.Refused, second.ExitCode);
        Assert.Contains("a live admin key exists already", second.Error);

        await using var host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0, ConnectionString = database.ConnectionString, PiiKeyFile = Path.Combine(server.Directory, "bootstrap-pii.key"),
        }, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        var who = await CliServer.RunWith(new Dictionary<string, string?> { ["DANBAO_SERVER"] = $"http://127.0.0.1:{host.Port}", ["DANBAO_KEY"] = secret }, "whoami");
        Assert.True(who.ExitCode == 0, who.ToString());
        Assert.Contains("institutions/admin role=Admin region=CN", who.Out);
    }

    [Fact]
    public async Task Policy_show_lists_the_governing_versions_and_policy_set_adds_one()
    {
        var admin = server.Key("admin");
        var before = await server.Run(admin, "policy", "show", "--region", "CN-GD-JM", "--date", "2026-06-01");
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Contains("PUBLICITY_LENGTH", before.Out);

        var set = await server.Run(admin, "policy", "set", "--parameter", "PUBLICITY_LENGTH", "--region", "CN-GD-JM",
            "--from", "2026-07-15", "--value", "5", "--source", "test notice");
        Assert.True(set.ExitCode == 0, set.ToString());
        var after = await server.Run(admin, "policy", "show", "--region", "CN-GD-JM", "--date", "2026-07-20", "--parameter", "PUBLICITY_LENGTH");
        Assert.Matches(@"PUBLICITY_LENGTH\s*│\s*5\s*│\s*CN-GD-JM\s*│\s*2026-07-15", after.Out);
    }

    [Fact]
    public async Task Lpr_set_needs_admin_and_then_lists_the_new_rate()
    {
        // The LPR is national (policy.md §11): neither a bank nor a finance bureau sets it; from today (2026-07-01) or later.
        var refused = await server.Run(server.Key("icbc-gz"), "lpr", "set", "--from", "2026-07-20", "--bp", "295");
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        var bureau = await server.Run(server.Key("gz-finance"), "lpr", "set", "--from", "2026-07-20", "--bp", "295");
        Assert.Equal(ExitCodes.Refused, bureau.ExitCode);
        var set = await server.Run(server.Key("admin"), "lpr", "set", "--from", "2026-07-20", "--bp", "295");
        Assert.True(set.ExitCode == 0, set.ToString());
        var list = await server.Run(server.Key("admin"), "lpr", "list");
        Assert.Contains("2026-07-20", list.Out);
        Assert.Contains("295", list.Out);
    }

    [Fact]
    public async Task Calendar_load_reads_a_json_year_and_calendar_show_prints_it_back()
    {
        var file = Path.Combine(server.Directory, "2031.json");
        await File.WriteAllTextAsync(file, """{"year": 2031, "daysOff": ["2031-01-01", "2031-01-02"], "makeupWorkingDays": ["2031-01-04"]}""");
        var load = await server.Run(server.Key("admin"), "calendar", "load", file);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("Loaded 2031: 2 days off, 1 make-up working days", load.Out);
        var show = await server.Run(server.Key("admin"), "calendar", "show", "2031");
        Assert.Contains("2031-01-04", show.Out);

        await File.WriteAllTextAsync(file, "not json");
        Assert.Equal(ExitCodes.Usage, (await server.Run(server.Key("admin"), "calendar", "load", file)).ExitCode);
    }
}
