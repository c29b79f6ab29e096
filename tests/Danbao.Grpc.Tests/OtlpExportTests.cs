using System.Collections.Concurrent;
using Danbao.Grpc.Tests.Support;
using Grpc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Danbao.Grpc.Tests;

/// <summary>OTEL_EXPORTER_OTLP_ENDPOINT switches on the OTLP exporter: metrics and traces reach the collector.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_server_exports_its_metrics_and_traces_to_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using (var host = await TransportHost.StartAsync((settings, _) => settings with { OtlpEndpoint = collector.Address }))
        {
            await new TestService.TestServiceClient(host.Channel()).EmptyCallAsync(new Empty());
        } // stopping the server flushes both exporters: nothing to wait for
        Assert.Contains("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", collector.Calls);
        Assert.Contains("/opentelemetry.proto.collector.trace.v1.TraceService/Export", collector.Calls);
    }

    /// <summary>An OTLP/gRPC collector that accepts every export (an empty reply is a full success) and remembers its path.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeCollector(WebApplication app) => _app = app;

        public ConcurrentBag<string> Calls { get; } = [];

        public string Address => _app.Urls.First();

        public static async Task<FakeCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            var app = builder.Build();
            var collector = new FakeCollector(app);
            app.Run(async http =>
            {
                collector.Calls.Add(http.Request.Path.Value!);
                await http.Request.Body.CopyToAsync(Stream.Null);
                http.Response.ContentType = "application/grpc";
                http.Response.AppendTrailer("grpc-status", "0");
                await http.Response.Body.WriteAsync(new byte[5]); // one empty, uncompressed message
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
