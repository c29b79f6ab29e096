using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Accounting;
using Danbao.Data.Audit;
using Danbao.Data.Idempotency;
using Danbao.Data.Loans;
using Danbao.Data.Migrations;
using Danbao.Data.Sessions;
using Danbao.Grpc.Interop;
using Danbao.Server.Calls;
using Danbao.Server.Handlers;
using Danbao.Server.Identity;
using Danbao.Server.Interceptors;
using Danbao.Server.Privacy;
using Danbao.Server.Reference;
using Danbao.Server.Telemetry;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Danbao.Server.Hosting;

/// <summary>
/// The composed service on grpc-dotnet: Kestrel, the interceptors, one service class per proto
/// service (mapped with MapGrpcService, so the compiler checks each against its generated base),
/// health and reflection. Program runs it until Ctrl-C; tests start it in-process on a fresh database.
/// </summary>
public sealed class DanbaoHost : IAsyncDisposable
{
    private const string MetricsConnection = "danbao.metrics";

    /// <summary>Every console log record's timestamp: ISO 8601 in UTC, to the millisecond.</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>Initial metadata on every reply: today's business date (CST), YYYY-MM-DD.</summary>
    public const string BusinessDateHeader = "danbao-business-date";

    /// <summary>Tag of the one check behind the "liveness" health service: the process answers.</summary>
    private const string LivenessTag = "liveness";

    /// <summary>Each Danbao service and the proto it implements; every method must declare its roles.</summary>
    private static readonly (Type Service, Google.Protobuf.Reflection.ServiceDescriptor Descriptor)[] DanbaoServices =
    [
        (typeof(IdentityHandler), IdentityService.Descriptor),
        (typeof(PolicyHandler), PolicyService.Descriptor),
        (typeof(LoanHandler), LoanService.Descriptor),
        (typeof(BatchHandler), BatchService.Descriptor),
        (typeof(SubsidyHandler), SubsidyService.Descriptor),
        (typeof(AwardHandler), AwardService.Descriptor),
        (typeof(FundHandler), FundService.Descriptor),
        (typeof(AdminHandler), AdminService.Descriptor),
    ];

    private readonly WebApplication _app;

    private DanbaoHost(WebApplication app, IReadOnlyDictionary<string, string> demoKeys, bool metrics)
    {
        _app = app;
        DemoKeys = demoKeys;
        _metrics = metrics;
    }

    private readonly bool _metrics;

    /// <summary>Institution id → API key of the demo institutions (empty unless --demo-keys).</summary>
    public IReadOnlyDictionary<string, string> DemoKeys { get; }

    public int Port => new Uri(_app.Urls.First()).Port;

    /// <summary>The --metrics-port as bound (null when off): GET /metrics, /livez and /healthz over HTTP/1.1.</summary>
    public int? MetricsPort => _metrics ? new Uri(_app.Urls.Skip(1).First()).Port : null;

    /// <summary>The host's services (for tests that look inside).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<DanbaoHost> StartAsync(ServerSettings settings, TimeProvider? clock = null,
        Action<ILoggingBuilder>? logging = null, CancellationToken ct = default)
    {
        foreach (var (service, descriptor) in DanbaoServices)
        {
            AuthInterceptor.CheckDeclared(service, descriptor);
        }
        clock ??= TimeProvider.System;
        var database = new Database(PoolNamed(settings.ConnectionString), new DatabaseOptions { ConnectionString = settings.ConnectionString });
        if (settings.Migrate)
        {
            await new MigrationRunner(database.DataSource, MigrationsDirectory.Locate()).ApplyAsync(ct);
        }
        if (clock is BusinessDateClock sandbox)
        {
            // A sandbox continues from the date it had reached before a restart: the stored date wins over an earlier start date.
            sandbox.AdvanceTo(await database.InSessionAsync(session => session.BusinessDates.AdvanceAsync(sandbox.Date), ct));
        }
        var demoKeys = settings.DemoKeysFile is { } file
            ? await DemoInstitutions.EnsureAsync(database, file, ct)
            : new Dictionary<string, string>();

        var builder = WebApplication.CreateSlimBuilder();
        if (settings.OtlpEndpoint is { } otlp)
        {
            builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp; // the OTLP exporter reads it from configuration
        }
        ConfigureLogging(builder.Logging, settings, logging);
        ConfigureKestrel(builder.WebHost, settings);
        var services = builder.Services;
        services.AddSingleton(clock);
        services.AddSingleton(settings);
        services.AddSingleton(database);
        var vault = IdNumberVault.FromEnvironmentOrFile(settings.PiiKeyFile ?? Path.Combine(".danbao", "pii.key"));
        services.AddSingleton(vault);
        Validation.Paging.UseKey(vault.PageTokenKey);
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Ledger>();
        services.AddSingleton(_ => new GroupCommit(database, settings.WriteGroupLanes));
        services.AddSingleton(_ => new LoanVersions(database, settings.LoanVersionLanes));
        services.AddSingleton<WriteRunner>();
        services.AddScoped<ReadSession>(); // the call's read session: opened on first use, given back when the call's scope ends
        services.AddSingleton<ReferenceDataCache>();
        services.AddSingleton(new Loans.LoanSnapshots(settings.LoanCacheEntries));
        services.AddSingleton<CredentialResolver>();
        services.AddSingleton<RpcMetrics>();
        services.AddDanbaoTelemetry(settings, IsMetricsConnection);
        services.AddSingleton<CallLogging>();
        services.AddSingleton(settings.Statements);
        services.AddSingleton(settings.SubsidyStreams);
        services.AddSingleton<DatabaseFailureStatus>();
        services.AddSingleton<AuthInterceptor>();
        services.AddSingleton(new AuthFailureLimiter(settings.AuthFailureBurst, settings.AuthFailuresPerSecond, settings.AuthFailureRefillPeriod));
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = settings.MaxMessageBytes;
            grpc.MaxSendMessageSize = settings.MaxMessageBytes;
            grpc.ResponseCompressionAlgorithm = "gzip";
            grpc.ResponseCompressionLevel = System.IO.Compression.CompressionLevel.Fastest;
            // Outermost first: every call is logged and measured, database failures become
            // UNAVAILABLE (authentication reads the database too), then the caller is established.
            grpc.Interceptors.Add<CallLogging>();
            grpc.Interceptors.Add<DatabaseFailureStatus>();
            grpc.Interceptors.Add<AuthInterceptor>();
            grpc.Interceptors.Add<SmallReplyCompression>(settings.CompressMinBytes);
        });
        services.AddGrpcReflection();
        services.AddSingleton<DatabaseHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseHealth>());
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map("", r => r.Tags.Contains(DatabaseHealth.Tag));
            // Only the process check: SERVING while the process runs. (A service mapped to no checks
            // at all would report UNKNOWN, which probes treat as a failure.)
            health.Services.Map("liveness", r => r.Tags.Contains(LivenessTag));
            foreach (var (_, descriptor) in DanbaoServices)
            {
                health.Services.Map(descriptor.FullName, r => r.Tags.Contains(DatabaseHealth.Tag));
            }
        }).AddCheck<DatabaseHealth>("database", tags: [DatabaseHealth.Tag])
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LivenessTag]);
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = TimeSpan.FromSeconds(1); // Watch streams see an outage within a second or two
        });

        var app = builder.Build();
        // Every reply's initial metadata carries the business date the rules used (a sandbox's, or the real one).
        app.Use((http, next) =>
        {
            http.Response.Headers[BusinessDateHeader] = Validation.BusinessDates.Text(Validation.BusinessDates.Today(clock));
            return next(http);
        });
        if (settings.MetricsPort is not null)
        {
            // The metrics port's own small pipeline, split off by one check per request.
            var health = app.Services.GetRequiredService<DatabaseHealth>();
            app.MapWhen(IsMetricsConnection, metrics =>
            {
                // GET /metrics: OpenTelemetry's Prometheus exporter.
                metrics.UseOpenTelemetryPrometheusScrapingEndpoint(http => HttpMethods.IsGet(http.Request.Method) && http.Request.Path == "/metrics");
                metrics.Run(async http =>
                {
                    if (!HttpMethods.IsGet(http.Request.Method))
                    {
                        http.Response.StatusCode = StatusCodes.Status404NotFound;
                        return;
                    }
                    switch (http.Request.Path.Value)
                    {
                        case "/livez":
                            // The kubelet's liveness and startup probes: the process serves (no database check).
                            await http.Response.WriteAsync("ok\n", http.RequestAborted);
                            return;
                        case "/healthz":
                            // Readiness: the database answers (read from the background probe, never waiting on it).
                            var up = health.DatabaseUp;
                            http.Response.StatusCode = up ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                            await http.Response.WriteAsync(up ? "ok\n" : "database unavailable\n", http.RequestAborted);
                            return;
                        default:
                            http.Response.StatusCode = StatusCodes.Status404NotFound;
                            return;
                    }
                });
            });
        }
        app.MapGrpcService<IdentityHandler>();
        app.MapGrpcService<PolicyHandler>();
        app.MapGrpcService<LoanHandler>();
        app.MapGrpcService<BatchHandler>();
        app.MapGrpcService<SubsidyHandler>();
        app.MapGrpcService<AwardHandler>();
        app.MapGrpcService<FundHandler>();
        app.MapGrpcService<AdminHandler>();
        if (settings.Interop)
        {
            app.MapGrpcService<InteropTestService>();
        }
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        await app.Services.GetRequiredService<ReferenceDataCache>().WarmAsync(ct);
        await app.Services.GetRequiredService<DatabaseHealth>().ProbeAsync(ct);
        await app.StartAsync(ct);
        return new DanbaoHost(app, demoKeys, settings.MetricsPort is not null);
    }

    /// <summary>
    /// The service's pool, named after its database: Npgsql labels its pool metrics with the name
    /// (db.client.connection.pool.name), which would otherwise be the connection string.
    /// </summary>
    private static Npgsql.NpgsqlDataSource PoolNamed(string connectionString)
    {
        var tuned = Data.PoolTuning.WithServiceDefaults(connectionString);
        var name = new Npgsql.NpgsqlConnectionStringBuilder(tuned).Database is { Length: > 0 } db ? db : "danbao";
        return new Npgsql.NpgsqlDataSourceBuilder(tuned) { Name = name }.Build();
    }

    /// <summary>A request that came in on the --metrics-port (its connections are tagged as they open).</summary>
    private static bool IsMetricsConnection(HttpContext http) =>
        http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(MetricsConnection) == true;

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        var database = _app.Services.GetRequiredService<Database>();
        await _app.DisposeAsync();
        await database.DisposeAsync();
    }

    private static void ConfigureLogging(ILoggingBuilder builder, ServerSettings settings, Action<ILoggingBuilder>? logging)
    {
        builder.ClearProviders();
        if (logging is not null)
        {
            logging(builder);
        }
        else
        {
            if (settings.JsonLogs)
            {
                // One JSON object per line, each with its UTC timestamp (Program prints nothing else on stdout).
                builder.AddJsonConsole(o =>
                {
                    o.TimestampFormat = TimestampFormat;
                    o.UseUtcTimestamp = true; // the format says Z: the time must be UTC
                });
            }
            else
            {
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = TimestampFormat + " ";
                    o.UseUtcTimestamp = true;
                });
            }
            // A full queue drops lines rather than making calls wait on the console.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        }
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("Grpc", LogLevel.Warning);
        // Off, not Warning: while this category is enabled at all, ASP.NET Core opens a logging scope
        // for every request (an allocation and an AsyncLocal write per call). It logs only request
        // start and finish; unhandled exceptions are logged by Kestrel and by CallLogging.
        builder.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // grpc-dotnet logs a request it cannot read (malformed protobuf, bad gzip, invalid UTF-8) as an
        // error before any interceptor runs: that is the caller's fault and must not flood the log.
        // Failures of our own handlers are logged by CallLogging, with their exception.
        builder.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Critical);
    }

    private static void ConfigureKestrel(IWebHostBuilder web, ServerSettings settings)
    {
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (settings.TlsCertificateFile is { } cert)
            {
                var certificate = Certificates.LoadPem(cert, settings.TlsKeyFile!);
                var clientRoots = settings.ClientCaFile is { } ca ? Certificates.LoadPemBundle(ca) : null;
                kestrel.Listen(settings.Listen, settings.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        if (clientRoots is null)
                        {
                            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
                            return;
                        }
                        // Optional: a caller may use an API key instead; a certificate it does send must chain to our CA.
                        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                        https.ClientCertificateValidation = (certificate, _, _) => Certificates.ChainsTo(certificate, clientRoots);
                    });
                });
            }
            else
            {
                kestrel.Listen(settings.Listen, settings.Port, listen => listen.Protocols = HttpProtocols.Http2);
            }
            if (settings.MetricsPort is { } metricsPort)
            {
                // After the gRPC listener, so Urls[0] stays the gRPC address. Connections here are tagged for the /metrics middleware.
                kestrel.Listen(settings.Listen, metricsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(next => connection =>
                    {
                        connection.Items[MetricsConnection] = true;
                        return next(connection);
                    });
                });
            }
        });
    }
}
