using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests;

/// <summary>--metrics-port: Prometheus text over HTTP/1.1 beside the gRPC port (docs/operations.md, "What to monitor").</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_port_serves_call_counts_latencies_and_the_connection_pool_and_nothing_else()
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-metrics-").FullName;
        await using var host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0, MetricsPort = 0, ConnectionString = database.ConnectionString,
            DemoKeysFile = Path.Combine(dir, "keys.txt"), PiiKeyFile = Path.Combine(dir, "pii.key"),
        }, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        Assert.NotNull(host.MetricsPort);
        Assert.NotEqual(host.Port, host.MetricsPort);

        using var client = new DanbaoClient(new Uri($"http://127.0.0.1:{host.Port}"), host.DemoKeys["icbc-gz"]);
        await client.Identity.WhoAmIAsync(new WhoAmIRequest());
        await client.Policy.ListLprRatesAsync(new ListLprRatesRequest());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.MetricsPort}") };
        var text = await http.GetStringAsync("/metrics");
        Assert.Contains("grpc_server_handled_total{grpc_method=\"/danbao.v1.IdentityService/WhoAmI\",grpc_code=\"OK\"} 1", text);
        Assert.Contains("grpc_server_handling_seconds_bucket{grpc_method=\"/danbao.v1.PolicyService/ListLprRates\",grpc_code=\"OK\",le=\"+Inf\"} 1", text);
        // Npgsql's pool instruments (Npgsql 10 names them after the OpenTelemetry conventions: db.client.connection.*).
        Assert.Matches(@"db_client_connection(s_usage|_count)\{state=""idle""\} [1-9]", text);
        Assert.Matches(@"db_client_connections?_max\{\} [1-9]", text);
        Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/")).StatusCode);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Metrics_port_is_parsed_and_off_by_default()
    {
        Assert.Null(ServerSettings.Parse([], n => n == "DANBAO_DB" ? "Host=x" : null).MetricsPort);
        Assert.Equal(9464, ServerSettings.Parse(["--metrics-port", "9464"], n => n == "DANBAO_DB" ? "Host=x" : null).MetricsPort);
        Assert.Throws<ArgumentException>(() => ServerSettings.Parse(["--metrics-port", "http"], n => n == "DANBAO_DB" ? "Host=x" : null));
    }
}
