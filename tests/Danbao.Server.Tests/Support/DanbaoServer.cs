using Danbao.Client;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Tests.Support;

/// <summary>
/// The real server, in-process, on a fresh migrated database of the run's throwaway PostgreSQL,
/// with the demo institutions and a clock the test controls. One per test class.
/// </summary>
public class DanbaoServer : IAsyncLifetime
{
    /// <summary>Every log line of every server of the run (checked for ID numbers at the end).</summary>
    public static readonly CapturedLogs Logs = new();

    private readonly string _dir = Directory.CreateTempSubdirectory("danbao-test-").FullName;

    /// <summary>A folder of this server's own, deleted with it.</summary>
    protected string Dir => _dir;
    private readonly List<DanbaoClient> _clients = [];
    private DanbaoHost? _host;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2027, 7, 1, 2, 0, 0, TimeSpan.Zero));

    public TestDatabase Database { get; private set; } = null!;

    public DanbaoHost Host => _host ?? throw new InvalidOperationException("not started");

    public virtual Uri Address => new($"http://127.0.0.1:{Host.Port}");

    /// <summary>Settings a variant of the server changes (e.g. TLS).</summary>
    protected virtual ServerSettings Configure(ServerSettings settings) => settings;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        Database = await postgres.CreateDatabaseAsync();
        await BeforeStartAsync(Database);
        _host = await DanbaoHost.StartAsync(Configure(new ServerSettings
        {
            Port = 0,
            ConnectionString = Database.ConnectionString,
            DemoKeysFile = Path.Combine(_dir, "keys.txt"),
            PiiKeyFile = Path.Combine(_dir, "pii.key"),
            Interop = true,
            // Tests refuse bad credentials often from one address; the limit has tests of its own (SecurityTests).
            AuthFailureBurst = 1_000_000,
            AuthFailuresPerSecond = 1_000_000,
        }), Clock, logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        if (CapitaliseFunds)
        {
            // A fund without capital can guarantee nothing (leverage k × 0): give each demo fund 10亿.
            foreach (var (finance, fund) in new[] { ("gz-finance", "gz-fund"), ("jm-finance", "jm-fund") })
            {
                await As(finance).Fund.ContributeCapitalAsync(new Contracts.V1.ContributeCapitalRequest
                {
                    RequestId = "test-capital-" + fund, Fund = "institutions/" + fund, AmountFen = 1_000_000_000_00,
                    FundingSource = Contracts.V1.FundingSource.FinanceCapital, ContributionDate = "2020-01-02", Reference = "test fixture capital",
                });
            }
        }
    }

    /// <summary>Reference data a test needs in its database before the server first reads it.</summary>
    protected virtual Task BeforeStartAsync(TestDatabase database) => Task.CompletedTask;

    /// <summary>Whether the demo funds start with capital (tests of exact fund balances start without).</summary>
    protected virtual bool CapitaliseFunds => true;

    /// <summary>A client acting as one of the demo institutions (e.g. "icbc-gz", "gz-hrss").</summary>
    public DanbaoClient As(string institution) => Track(new DanbaoClient(Address, Host.DemoKeys[institution], ClientOptions()));

    public DanbaoClient WithKey(string? key) => Track(new DanbaoClient(Address, key, ClientOptions()));

    /// <summary>How clients of this server connect (a TLS variant trusts its own CA).</summary>
    protected virtual DanbaoClientOptions ClientOptions() => new();

    protected DanbaoClient Track(DanbaoClient client)
    {
        lock (_clients)
        {
            _clients.Add(client);
        }
        return client;
    }

    public virtual async Task DisposeAsync()
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
