using Danbao.Client;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Danbao.Grpc.Tests.Support;

/// <summary>
/// The real <see cref="DanbaoHost"/> with --interop, in-process on a fresh migrated database of the
/// run's throwaway PostgreSQL, with demo institutions and every log entry captured. Optionally the
/// database is reached through a <see cref="TcpProxy"/> the test can cut.
/// </summary>
public sealed class TransportHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private TransportHost(string dir, TestDatabase database, TcpProxy? proxy)
    {
        Dir = dir;
        Database = database;
        DatabaseProxy = proxy;
    }

    /// <summary>A folder of this host's own (keys, certificates), deleted with it.</summary>
    public string Dir { get; }

    public TestDatabase Database { get; }

    /// <summary>The proxy between the host and PostgreSQL, when started with one.</summary>
    public TcpProxy? DatabaseProxy { get; }

    public DanbaoHost Host { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    public int Port => Host.Port;

    public Uri Address => new($"{(Tls ? "https://localhost" : "http://127.0.0.1")}:{Port}");

    public bool Tls { get; private set; }

    /// <summary>
    /// Starts a host: interop on, demo keys, metrics on a free port; <paramref name="configure"/>
    /// changes the settings given the host's own folder (e.g. TLS files written there).
    /// </summary>
    public static async Task<TransportHost> StartAsync(Func<ServerSettings, string, ServerSettings>? configure = null, bool proxiedDatabase = false)
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-transport-").FullName;
        TcpProxy? proxy = null;
        var connectionString = database.ConnectionString;
        if (proxiedDatabase)
        {
            var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            proxy = new TcpProxy(direct.Host!, direct.Port);
            // Short timeouts: with the database cut, calls should fail fast rather than wait 15 s.
            connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                Host = "127.0.0.1", Port = proxy.Port, Timeout = 2, CommandTimeout = 5,
            }.ConnectionString;
        }
        var host = new TransportHost(dir, database, proxy);
        var settings = new ServerSettings
        {
            Port = 0,
            ConnectionString = connectionString,
            DemoKeysFile = Path.Combine(dir, "keys.txt"),
            PiiKeyFile = Path.Combine(dir, "pii.key"),
            Interop = true,
            MetricsPort = 0,
        };
        settings = configure?.Invoke(settings, dir) ?? settings;
        host.Tls = settings.TlsCertificateFile is not null;
        host.Host = await DanbaoHost.StartAsync(settings, logging: logging => logging.AddProvider(host.Logs).SetMinimumLevel(LogLevel.Information));
        return host;
    }

    /// <summary>A plain grpc-dotnet channel to the host (h2c), with no message size limits of its own unless given.</summary>
    public GrpcChannel Channel(int? maxReceiveBytes = null, int? maxSendBytes = null)
    {
        var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = maxReceiveBytes,
            MaxSendMessageSize = maxSendBytes,
        });
        lock (_owned)
        {
            _owned.Add(channel);
        }
        return channel;
    }

    /// <summary>The SDK acting as a demo institution (e.g. "icbc-gz", "admin"), or with no key at all.</summary>
    public DanbaoClient Sdk(string? institution, DanbaoClientOptions? options = null)
    {
        var client = new DanbaoClient(Address, institution is null ? null : Host.DemoKeys[institution], options);
        lock (_owned)
        {
            _owned.Add(client);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        DatabaseProxy?.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>One h2c host with --interop and --metrics-port shared by the tests that only call it.</summary>
public sealed class SharedHost : IAsyncLifetime
{
    public TransportHost Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TransportHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedHostCollection : ICollectionFixture<SharedHost>
{
    public const string Name = "shared host";
}
