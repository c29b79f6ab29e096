using Danbao.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Danbao.Server.Telemetry;

/// <summary>
/// Metrics and traces through OpenTelemetry: the calls (<see cref="RpcMetrics"/>), ASP.NET Core and
/// Kestrel, the .NET runtime and Npgsql's connection pool, scraped as Prometheus text on the
/// --metrics-port and/or pushed over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter
/// reads the other standard OTEL_* variables itself). Traces are recorded only for OTLP: with no
/// exporter there is nothing to send them to, and an unlistened request costs no Activity.
/// </summary>
public static class OpenTelemetrySetup
{
    public const string ServiceName = "danbao-server";

    public static void AddDanbaoTelemetry(this IServiceCollection services, ServerSettings settings, Func<HttpContext, bool> isMetricsPort)
    {
        var otlp = settings.OtlpEndpoint is not null;
        if (settings.MetricsPort is null && !otlp)
        {
            return; // no reader: every instrument stays disabled and costs nothing per call
        }
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: typeof(OpenTelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(RpcMetrics.MeterName, Data.Sessions.GroupCommit.MeterName, Data.Loans.LoanVersions.MeterName)
                    // ASP.NET Core's own meters, named here rather than through AddAspNetCoreInstrumentation(), whose
                    // metrics half is these meters plus a middleware around every request (to tag exceptions that
                    // escape it: grpc-dotnet lets none escape) and meters that cost per request for nothing here
                    // (Routing: a match-attempt counter per call).
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics",
                        "Microsoft.AspNetCore.MemoryPool")
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    // Instruments that cost a measurement or two per call and say nothing rpc.server.duration and
                    // http.server.active_requests do not: the HTTP duration of each call (always 200 for gRPC), the
                    // queue of HTTP/2 streams waiting for a thread, a counter per buffer Kestrel rents.
                    .AddView("http.server.request.duration", MetricStreamConfiguration.Drop)
                    .AddView("kestrel.queued_requests", MetricStreamConfiguration.Drop)
                    .AddView("aspnetcore.memory_pool.rented", MetricStreamConfiguration.Drop);
                // Meters are matched by name across the process: this host's (made by its IMeterFactory, as ASP.NET Core's
                // and RpcMetrics' are) only, so another host in the same process (the tests start many) is not counted here.
                ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
                {
                    var ours = sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
                    builder.AddView(i => i.Meter.Scope is not null && !ReferenceEquals(i.Meter.Scope, ours) ? MetricStreamConfiguration.Drop : null);
                });
                if (settings.MetricsPort is not null)
                {
                    // No response cache: a scrape right after a call sees it (the default caches 300 ms).
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                // rpc.* span attributes: OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_ENABLE_GRPC_INSTRUMENTATION=true.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !isMetricsPort(http)) // probes and scrapes are not traced
                .AddNpgsql());
            telemetry.UseOtlpExporter();
        }
    }
}
