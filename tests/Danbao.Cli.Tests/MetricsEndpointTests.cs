using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests;

/// <summary>--metrics-port: Prometheus text over HTTP/1.1 beside the gRPC port (docs/operations.md, "What to monitor").</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_port_serves_rpc_server_duration_and_the_connection_pool_under_their_standard_names_and_nothing_else()
    {
        await using var server = await StartAsync(pool: "");
        using var client = new DanbaoClient(new Uri($"http://127.0.0.1:{server.Host.Port}"), server.Host.DemoKeys["icbc-gz"]);
        await client.Identity.WhoAmIAsync(new WhoAmIRequest());
        await client.Policy.ListLprRatesAsync(new ListLprRatesRequest());

        var text = await server.Http.GetStringAsync("/metrics");
        var metrics = PrometheusText.Parse(text);
        Assert.Equal(1, metrics.Value("rpc_server_duration_milliseconds_count", ("rpc_system", "grpc"),
            ("rpc_service", "danbao.v1.IdentityService"), ("rpc_method", "WhoAmI"), ("rpc_grpc_status_code", "0")));
        Assert.Equal(1, metrics.Value("rpc_server_duration_milliseconds_bucket",
            ("rpc_service", "danbao.v1.PolicyService"), ("rpc_method", "ListLprRates"), ("rpc_grpc_status_code", "0"), ("le", "+Inf")));
        // Npgsql's pool, as Npgsql 10 names it (OpenTelemetry's db.client.connection.*), labelled with the database's
        // name (the metrics see every pool of the process: this test process has others). Present from the first scrape;
        // the background health probe may hold a connection at the moment of the scrape: idle or used, one is open.
        var pool = ("db_client_connection_pool_name", server.DatabaseName);
        Assert.True(metrics.Value("db_client_connection_count", pool, ("db_client_connection_state", "idle"))
            + metrics.Value("db_client_connection_count", pool, ("db_client_connection_state", "used")) >= 1);
        Assert.Equal(new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString).MaxPoolSize, metrics.Value("db_client_connection_max", pool));
        // The server's pool is labelled with the database's name, not its connection string (Npgsql's default name;
        // the test harness's own pool shows what that looks like).
        Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(metrics.Samples, s => s.Labels.TryGetValue("db_client_connection_pool_name", out var name)
            && name != server.DatabaseName && name.Contains("Database=" + server.DatabaseName, StringComparison.Ordinal));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Callers_waiting_for_a_connection_and_pool_timeouts_appear_in_the_metrics()
    {
        // A pool of one connection that callers wait a second for.
        await using var server = await StartAsync(pool: ";Maximum Pool Size=1;Timeout=1");
        var database = server.Host.Services.GetRequiredService<Danbao.Data.Database>();
        using var client = new DanbaoClient(new Uri($"http://127.0.0.1:{server.Host.Port}"), server.Host.DemoKeys["icbc-gz"]);
        await using (await database.DataSource.OpenConnectionAsync())
        {
            // The only connection is taken: authenticating the key (not yet cached) waits for one, then gives up.
            var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await client.Identity.WhoAmIAsync(new WhoAmIRequest()));
            Assert.Equal(global::Grpc.Core.StatusCode.Unavailable, refused.StatusCode);
        }

        var metrics = PrometheusText.Parse(await server.Http.GetStringAsync("/metrics"));
        var pool = ("db_client_connection_pool_name", server.DatabaseName);
        Assert.Equal(1, metrics.Value("db_client_connection_max", pool));
        Assert.True(metrics.Value("db_client_connection_npgsql_timeouts_total", pool) >= 1);
        Assert.Equal(0, metrics.Value("db_client_connection_npgsql_pending_requests", pool)); // nobody waits any more
        Assert.Equal(1, metrics.Value("rpc_server_duration_milliseconds_count", ("rpc_method", "WhoAmI"), ("rpc_grpc_status_code", "14")));
    }

    private static async Task<MetricsServer> StartAsync(string pool)
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-metrics-").FullName;
        var host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0, MetricsPort = 0, ConnectionString = database.ConnectionString + pool,
            DemoKeysFile = Path.Combine(dir, "keys.txt"), PiiKeyFile = Path.Combine(dir, "pii.key"),
        }, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        Assert.NotNull(host.MetricsPort);
        Assert.NotEqual(host.Port, host.MetricsPort);
        return new MetricsServer(host, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.MetricsPort}") }, dir,
            database.ConnectionString + pool);
    }

    private sealed record MetricsServer(DanbaoHost Host, HttpClient Http, string Directory, string ConnectionString) : IAsyncDisposable
    {
        public string DatabaseName => new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString).Database!;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    [Fact]
    public void Ok_call_sampling_and_the_otlp_endpoint_are_parsed_with_their_defaults()
    {
        static string? Env(string name) => name == "DANBAO_DB" ? "Host=x" : null;
        var defaults = ServerSettings.Parse([], Env);
        Assert.Equal(100, defaults.LogOkCallsEvery);
        Assert.Null(defaults.OtlpEndpoint);
        Assert.Equal(1, ServerSettings.Parse(["--log-ok-calls", "1"], Env).LogOkCallsEvery);
        Assert.Equal(0, ServerSettings.Parse([], n => n switch { "DANBAO_DB" => "Host=x", "DANBAO_LOG_OK_CALLS" => "0", _ => null }).LogOkCallsEvery);
        Assert.Throws<ArgumentException>(() => ServerSettings.Parse(["--log-ok-calls", "-1"], Env));
        Assert.Equal("http://collector:4317", ServerSettings.Parse([], n => n switch
        {
            "DANBAO_DB" => "Host=x", "OTEL_EXPORTER_OTLP_ENDPOINT" => "http://collector:4317", _ => null,
        }).OtlpEndpoint);
    }

    [Fact]
    public void Metrics_port_is_parsed_and_off_by_default()
    {
        Assert.Null(ServerSettings.Parse([], n => n == "DANBAO_DB" ? "Host=x" : null).MetricsPort);
        Assert.Equal(9464, ServerSettings.Parse(["--metrics-port", "9464"], n => n == "DANBAO_DB" ? "Host=x" : null).MetricsPort);
        Assert.Throws<ArgumentException>(() => ServerSettings.Parse(["--metrics-port", "http"], n => n == "DANBAO_DB" ? "Host=x" : null));
    }
}
