using Danbao.Client;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests.Support;

/// <summary>A clock the test sets: the server reads "now" only through it.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// The real server in-process on a fresh migrated database with the demo institutions (the
/// same as tests/Danbao.Server.Tests' fixture) and a clock at 2026-07-01 10:00 CST; runs the CLI
/// in-process against it.
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    /// <summary>The demo data's as-of date in these tests: the day before the server's today.</summary>
    public const string AsOf = "2026-06-30";

    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("danbao-cli-test-").FullName;
    private readonly List<DanbaoClient> _clients = [];
    private DanbaoHost? _host;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 7, 1, 2, 0, 0, TimeSpan.Zero));

    public TestDatabase Database { get; private set; } = null!;

    public DanbaoHost Host => _host ?? throw new InvalidOperationException("not started");

    public string Address => $"http://127.0.0.1:{Host.Port}";

    public string Directory => _dir;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        Database = await postgres.CreateDatabaseAsync();
        _host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0,
            ConnectionString = Database.ConnectionString,
            DemoKeysFile = Path.Combine(_dir, "keys.txt"),
            PiiKeyFile = Path.Combine(_dir, "pii.key"),
        }, Clock, logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    public string Key(string institution) => Host.DemoKeys[institution];

    public DanbaoClient As(string institution)
    {
        var client = new DanbaoClient(new Uri(Address), Key(institution));
        _clients.Add(client);
        return client;
    }

    /// <summary>Runs `danbao args…` with DANBAO_SERVER set to this server, DANBAO_KEY to <paramref name="key"/> and DANBAO_DB to its database.</summary>
    public Task<CliRun> Run(string? key, params string[] args) =>
        RunWith(new Dictionary<string, string?> { ["DANBAO_SERVER"] = Address, ["DANBAO_KEY"] = key, ["DANBAO_DB"] = Database.ConnectionString }, args);

    public static async Task<CliRun> RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var cli = new CliContext(output, error, name => environment.TryGetValue(name, out var value) ? value : null);
        var code = await Program.Run(args, cli);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        System.IO.Directory.Delete(_dir, recursive: true);
    }
}
