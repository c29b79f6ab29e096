using System.Net;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
using Danbao.TestSupport;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>The --metrics-port (HTTP/1.1): Prometheus text, liveness and readiness; none of it on the gRPC port.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class MetricsTests(SharedHost shared)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Uri MetricsUri(string path) => new($"http://127.0.0.1:{shared.Server.Host.MetricsPort}{path}");

    [Fact]
    public async Task Metrics_count_calls_in_rpc_server_duration_by_service_method_and_status_including_refusals_by_the_auth_interceptor()
    {
        var before = await ScrapeAsync();
        var testService = new TestService.TestServiceClient(shared.Server.Channel());
        await testService.EmptyCallAsync(new Empty());
        // Declared but not implemented: the generated base answers UNIMPLEMENTED through the interceptors.
        await Assert.ThrowsAsync<RpcException>(async () => await testService.UnimplementedCallAsync(new Empty()));
        // Refused by authentication: counted all the same, because the call log and metrics run outside it.
        await Assert.ThrowsAsync<RpcException>(async () => await shared.Server.Sdk(null).Identity.WhoAmIAsync(new WhoAmIRequest()));

        var after = await ScrapeAsync();
        // OpenTelemetry's RPC conventions: rpc.server.duration (ms) with rpc.system, rpc.service, rpc.method and the numeric rpc.grpc.status_code.
        double Calls(PrometheusText metrics, string service, string method, StatusCode code) =>
            metrics.Find("rpc_server_duration_milliseconds_count", ("rpc_system", "grpc"), ("rpc_service", service), ("rpc_method", method),
                ("rpc_grpc_status_code", ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture))).Sum(s => s.Value);
        Assert.Equal(1, Calls(after, "grpc.testing.TestService", "EmptyCall", StatusCode.OK) - Calls(before, "grpc.testing.TestService", "EmptyCall", StatusCode.OK));
        Assert.Equal(1, Calls(after, "grpc.testing.TestService", "UnimplementedCall", StatusCode.Unimplemented)
            - Calls(before, "grpc.testing.TestService", "UnimplementedCall", StatusCode.Unimplemented));
        Assert.Equal(1, Calls(after, "danbao.v1.IdentityService", "WhoAmI", StatusCode.Unauthenticated)
            - Calls(before, "danbao.v1.IdentityService", "WhoAmI", StatusCode.Unauthenticated));
        var buckets = after.Find("rpc_server_duration_milliseconds_bucket", ("rpc_service", "grpc.testing.TestService"), ("rpc_method", "EmptyCall"), ("rpc_grpc_status_code", "0"));
        Assert.Contains(buckets, b => b.Labels["le"] == "+Inf" && b.Value >= 1);
        Assert.Contains(buckets, b => b.Labels["le"] == "1"); // finer buckets than the SDK's default below 5 ms
        Assert.Contains("rpc_server_duration_milliseconds", after.HelpNames);
        // The method label is the method alone (the service has its own label), never the full path.
        Assert.DoesNotContain(after.Samples, s => s.Labels.TryGetValue("rpc_method", out var m) && m.Contains('/', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_include_the_runtime_and_kestrel_under_their_standard_names_with_help_lines()
    {
        var metrics = await ScrapeAsync();
        foreach (var family in new[] { "dotnet_gc_collections_total", "dotnet_process_cpu_time_seconds_total", "dotnet_gc_pause_time_seconds_total",
                     "kestrel_active_connections", "http_server_active_requests", "target_info" })
        {
            Assert.True(metrics.HelpNames.Contains(family), $"no # HELP {family}");
        }
        Assert.Equal(1, metrics.Value("target_info", ("service_name", "danbao-server")));
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var reply = await Http.GetAsync(MetricsUri("/metrics"));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.StartsWith("text/plain", reply.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Livez_and_healthz_answer_200_while_the_database_is_up()
    {
        using var live = await Http.GetAsync(MetricsUri("/livez"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await Http.GetAsync(MetricsUri("/healthz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var other = await Http.GetAsync(MetricsUri("/nothing-here"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Probes_and_metrics_do_not_answer_on_the_grpc_port_nor_grpc_on_the_metrics_port()
    {
        foreach (var path in new[] { "/healthz", "/livez", "/metrics" })
        {
            var reply = await RawGrpc.PostAsync(shared.Server.Port, path, [], method: HttpMethod.Get);
            Assert.True(reply.HttpStatus == HttpStatusCode.NotFound, $"{path} on the gRPC port: {reply.HttpStatus}");
        }
        using var grpcOnMetrics = new HttpRequestMessage(HttpMethod.Post, MetricsUri("/grpc.testing.TestService/EmptyCall"))
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        grpcOnMetrics.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var refused = await Http.SendAsync(grpcOnMetrics);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
