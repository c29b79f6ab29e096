using System.CommandLine;
using Danbao.Cli.Tests.Support;

namespace Danbao.Cli.Tests;

/// <summary>0 ok, 1 refused with the reason printed, 2 usage, 3 cannot connect; --help everywhere.</summary>
public sealed class ExitCodeTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task A_call_the_server_refuses_exits_1_and_prints_the_status_and_reason()
    {
        // A bank may not list keys: PERMISSION_DENIED from the server.
        var run = await server.Run(server.Key("icbc-gz"), "keys", "list");
        Assert.Equal(ExitCodes.Refused, run.ExitCode);
        Assert.Contains("refused: PERMISSION_DENIED", run.Error);
    }

    [Fact]
    public async Task A_domain_refusal_prints_its_ErrorInfo_reason()
    {
        // The batch date may not be after the server's today (2026-07-01): INVALID_ARGUMENT with the field.
        var run = await server.Run(server.Key("admin"), "batch", "run", "--business-date", "2030-01-01");
        Assert.Equal(ExitCodes.Refused, run.ExitCode);
        Assert.Contains("INVALID_ARGUMENT", run.Error);
        Assert.Contains("business_date: must not be after today (2026-07-01 CST)", run.Error);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("keys")]
    [InlineData("keys", "create")]
    [InlineData("batch", "run", "--business-date")]
    [InlineData("batch", "run", "--business-date", "1 July")]
    [InlineData("demo", "seed", "--count", "lots")]
    [InlineData("statement", "export", "--format", "pdf")]
    public async Task Usage_mistakes_exit_2(params string[] args)
    {
        var run = await server.Run(server.Key("admin"), args);
        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.NotEqual("", run.Error);
    }

    [Fact]
    public async Task A_command_that_needs_a_key_without_one_exits_2()
    {
        var run = await server.Run(null, "whoami");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("DANBAO_KEY", run.Error);
    }

    [Fact]
    public async Task An_unreachable_server_exits_3()
    {
        var port = FreePort();
        var run = await CliServer.RunWith(new Dictionary<string, string?> { ["DANBAO_KEY"] = server.Key("admin") },
            "--server", $"http://127.0.0.1:{port}", "whoami");
        Assert.True(run.ExitCode == ExitCodes.CannotConnect, run.ToString());
        Assert.Contains("cannot reach the server", run.Error);
    }

    [Fact]
    public async Task An_unreachable_database_exits_3()
    {
        var run = await CliServer.RunWith(new Dictionary<string, string?> { ["DANBAO_DB"] = $"Host=127.0.0.1;Port={FreePort()};Username=x;Database=x;Timeout=3" }, "verify");
        Assert.True(run.ExitCode == ExitCodes.CannotConnect, run.ToString());
    }

    [Fact]
    public async Task Verify_exits_4_and_names_the_problem_when_an_invariant_does_not_hold()
    {
        var postgres = await Danbao.TestSupport.PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var env = new Dictionary<string, string?> { ["DANBAO_DB"] = database.ConnectionString };
        Assert.Equal(ExitCodes.Ok, (await CliServer.RunWith(env, "verify")).ExitCode);

        // A write claimed but never completed: what a half-committed write would leave.
        await using (var source = database.CreateDataSource())
        await using (var command = source.CreateCommand(
            "insert into idempotency_keys (scope, request_id, method, request_hash) values ('icbc-gz', 'r-1', '/danbao.v1.LoanService/CreateLoan', decode(repeat('00', 32), 'hex'))"))
        {
            await command.ExecuteNonQueryAsync();
        }
        var run = await CliServer.RunWith(env, "verify");
        Assert.True(run.ExitCode == ExitCodes.Inconsistent, run.ToString());
        Assert.Contains("icbc-gz/r-1", run.Out);
    }

    [Fact]
    public async Task Health_reports_serving_for_readiness_and_liveness_without_a_key()
    {
        var ready = await server.Run(null, "health");
        Assert.True(ready.ExitCode == ExitCodes.Ok, ready.ToString());
        Assert.Contains("\"\": Serving", ready.Out);
        Assert.Equal(ExitCodes.Ok, (await server.Run(null, "health", "--service", "liveness")).ExitCode);
        var unknown = await server.Run(null, "health", "--service", "no.such.Service");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("NOT_FOUND", unknown.Error);
    }

    [Fact]
    public async Task An_at_institution_key_is_read_from_the_keys_file_run_sh_writes()
    {
        var file = Path.Combine(server.Directory, "demo-keys.txt");
        await File.WriteAllLinesAsync(file, ["admin=" + server.Key("admin"), "gz-finance=" + server.Key("gz-finance")]);
        var env = new Dictionary<string, string?> { ["DANBAO_SERVER"] = server.Address, ["DANBAO_KEYS_FILE"] = file };
        var run = await CliServer.RunWith(env, "whoami", "--key", "@gz-finance");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("institutions/gz-finance role=FinanceBureau", run.Out);
        var missing = await CliServer.RunWith(env, "whoami", "--key", "@jm-finance");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("no key for 'jm-finance'", missing.Error);
    }

    [Fact]
    public async Task Global_options_override_the_environment()
    {
        var run = await CliServer.RunWith(new Dictionary<string, string?> { ["DANBAO_SERVER"] = "http://127.0.0.1:1", ["DANBAO_KEY"] = "dbk_wrong" },
            "whoami", "--server", server.Address, "--key", server.Key("gz-hrss"));
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("institutions/gz-hrss role=EmploymentService region=CN-GD-GZ", run.Out);
    }

    [Fact]
    public async Task Every_command_has_help()
    {
        var root = Program.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));
        var paths = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }
        Walk(root, []);
        Assert.True(paths.Count >= 20, $"{paths.Count} commands");
        foreach (var path in paths)
        {
            var run = await CliServer.RunWith(new Dictionary<string, string?>(), [.. path, "--help"]);
            Assert.True(run.ExitCode == ExitCodes.Ok, string.Join(' ', path) + ": " + run);
            Assert.Contains("Usage:", run.Out);
            Assert.Contains("--server", run.Out);
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
