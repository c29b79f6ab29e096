using Danbao.Client;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Tests.Support;

/// <summary>
/// The real server, in-process, on a fresh migrated database of the run's throwaway PostgreSQL,
/// with the demo institutions and a clock the test controls. One per test class.
/// </summary>
public sealed class DanbaoServer : IAsyncLifetime
{
    /// <summary>Every log line of every server of the run (checked for ID numbers at the end).</summary>
    public static readonly CapturedLogs Logs = new();

    private readonly string _dir = Directory.CreateTempSubdirectory("danbao-test-").FullName;
    private readonly List<DanbaoClient> _clients = [];
    private DanbaoHost? _host;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2027, 7, 1, 2, 0, 0, TimeSpan.Zero));

    public TestDatabase Database { get; private set; } = null!;

    public DanbaoHost Host => _host ?? throw new InvalidOperationException("not started");

    public Uri Address => new($"http://127.0.0.1:{Host.Port}");

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
            Interop = true,
        }, Clock, logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
    }

    /// <summary>A client acting as one of the demo institutions (e.g. "icbc-gz", "gz-hrss").</summary>
    public DanbaoClient As(string institution)
    {
        var client = new DanbaoClient(Address, Host.DemoKeys[institution]);
        _clients.Add(client);
        return client;
    }

    public DanbaoClient WithKey(string? key)
    {
        var client = new DanbaoClient(Address, key);
        _clients.Add(client);
        return client;
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
        Directory.Delete(_dir, recursive: true);
    }
}
