using System.Net;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
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
    public async Task Metrics_count_calls_by_method_and_code_including_refusals_by_the_auth_interceptor()
    {
        var testService = new TestService.TestServiceClient(shared.Server.Channel());
        await testService.EmptyCallAsync(new Empty());
        // Declared but not implemented: the generated base answers UNIMPLEMENTED through the interceptors.
        await Assert.ThrowsAsync<RpcException>(async () => await testService.UnimplementedCallAsync(new Empty()));
        // Refused by authentication: counted all the same, because the call log and metrics run outside it.
        await Assert.ThrowsAsync<RpcException>(async () => await shared.Server.Sdk(null).Identity.WhoAmIAsync(new WhoAmIRequest()));

        var text = await Http.GetStringAsync(MetricsUri("/metrics"));
        Assert.Matches("""grpc_server_handled_total\{grpc_method="/grpc.testing.TestService/EmptyCall",grpc_code="OK"\} [1-9]""", text);
        Assert.Matches("""grpc_server_handled_total\{grpc_method="/grpc.testing.TestService/UnimplementedCall",grpc_code="UNIMPLEMENTED"\} [1-9]""", text);
        Assert.Matches("""grpc_server_handled_total\{grpc_method="/danbao.v1.IdentityService/WhoAmI",grpc_code="UNAUTHENTICATED"\} [1-9]""", text);
        Assert.Contains("""grpc_server_handling_seconds_bucket{grpc_method="/grpc.testing.TestService/EmptyCall",grpc_code="OK",le="+Inf"}""", text, StringComparison.Ordinal);
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
