using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Audit;
using Danbao.Data.Idempotency;
using Danbao.Data.Migrations;
using Danbao.Grpc;
using Danbao.Grpc.Interop;
using Danbao.Server.Calls;
using Danbao.Server.Handlers;
using Danbao.Server.Identity;
using Danbao.Server.Privacy;
using Danbao.Server.Reference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Hosting;

/// <summary>
/// The composed service: Kestrel, our gRPC layer, the handlers and their dependencies. Program
/// runs it until Ctrl-C; tests start it in-process on a fresh database.
/// </summary>
public sealed class DanbaoHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Database _database;
    private readonly DatabaseHealth _health;

    private DanbaoHost(WebApplication app, Database database, DatabaseHealth health, GrpcServer server, IReadOnlyDictionary<string, string> demoKeys)
    {
        _app = app;
        _database = database;
        _health = health;
        Server = server;
        DemoKeys = demoKeys;
    }

    public GrpcServer Server { get; }

    /// <summary>Institution id → API key of the demo institutions (empty unless --demo-keys).</summary>
    public IReadOnlyDictionary<string, string> DemoKeys { get; }

    public int Port => new Uri(_app.Urls.First()).Port;

    /// <summary>The --metrics-port as bound (null when off).</summary>
    public int? MetricsPort => _metrics is null ? null : new Uri(_app.Urls.Skip(1).First()).Port;

    private const string MetricsConnection = "danbao.metrics";
    private MetricsEndpoint? _metrics;

    public static async Task<DanbaoHost> StartAsync(ServerSettings settings, TimeProvider? clock = null,
        Action<ILoggingBuilder>? logging = null, CancellationToken ct = default)
    {
        clock ??= TimeProvider.System;
        var database = new Database(new DatabaseOptions { ConnectionString = settings.ConnectionString });
        if (settings.Migrate)
        {
            await new MigrationRunner(database.DataSource, MigrationsDirectory.Locate()).ApplyAsync(ct);
        }
        var demoKeys = settings.DemoKeysFile is { } file
            ? await DemoInstitutions.EnsureAsync(database, file, ct)
            : new Dictionary<string, string>();
        var vault = IdNumberVault.FromEnvironmentOrFile(settings.PiiKeyFile ?? Path.Combine(".danbao", "pii.key"));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }
        else if (settings.JsonLogs)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // our layer limits messages itself (RESOURCE_EXHAUSTED)
            if (settings.TlsCertificateFile is { } cert)
            {
                var certificate = CertificateFiles.LoadPem(cert, settings.TlsKeyFile!);
                var clients = settings.ClientCaFile is { } ca ? new GrpcClientCertificatePolicy(CertificateFiles.LoadPemBundle(ca), Required: false) : null;
                kestrel.ListenTls(settings.Listen, settings.Port, certificate, clients);
            }
            else
            {
                kestrel.ListenH2c(settings.Listen, settings.Port);
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
        var app = builder.Build();

        var idempotency = new IdempotencyStore();
        var audit = new AuditLog();
        var writes = new WriteRunner(database, idempotency, audit, clock);
        var reference = new ReferenceDataCache(database, clock);
        await reference.WarmAsync(ct);
        var credentials = new CredentialResolver(database, clock);
        var registry = new GrpcServiceRegistry();
        registry.AddInterceptor(new CallLogging(app.Services.GetRequiredService<ILogger<CallLogging>>()));
        registry.AddInterceptor(new DatabaseFailureStatus());
        registry.AddInterceptor(new AuthInterceptor(credentials));
        AddDanbao(registry, IdentityReflection.Descriptor.Services[0], new IdentityHandler(database, writes, credentials));
        AddDanbao(registry, PolicyReflection.Descriptor.Services[0], new PolicyHandler(database, writes, reference));
        AddDanbao(registry, LoansReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("LoanService"),
            new LoanHandler(database, writes, reference, vault, audit, clock));
        AddDanbao(registry, LoansReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("BatchService"),
            new BatchHandler(writes, reference, clock));
        AddDanbao(registry, SubsidyReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("SubsidyService"),
            new SubsidyHandler(database, writes, reference, new Danbao.Data.Accounting.Ledger(), clock));
        AddDanbao(registry, SubsidyReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("AwardService"),
            new AwardHandler(database, writes, reference, new Danbao.Data.Accounting.Ledger(), clock));
        AddDanbao(registry, FundReflection.Descriptor.Services[0], new FundHandler(database, writes, reference, clock));
        if (settings.Interop)
        {
            InteropServer.AddTestService(registry);
        }
        var health = new DatabaseHealth(database, registry.Services.Select(s => s.FullName));
        await health.ProbeAsync(ct);
        registry.AddHealth(health);
        registry.AddReflection();
        GrpcServer? grpcServer = null;
        var metrics = settings.MetricsPort is null ? null : new MetricsEndpoint();
        if (metrics is not null)
        {
            app.Use(async (http, next) =>
            {
                if (http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(MetricsConnection) != true)
                {
                    await next(http);
                    return;
                }
                if (http.Request.Path == "/metrics" && HttpMethods.IsGet(http.Request.Method) && grpcServer is not null)
                {
                    http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await http.Response.WriteAsync(metrics.Render(grpcServer.Metrics), http.RequestAborted);
                    return;
                }
                http.Response.StatusCode = StatusCodes.Status404NotFound;
            });
        }
        var server = app.UseGrpc(registry, new GrpcServerOptions
        {
            MaxReceiveMessageSizeBytes = settings.MaxMessageBytes,
            MaxSendMessageSizeBytes = settings.MaxMessageBytes,
        });
        grpcServer = server;
        await app.StartAsync(ct);
        return new DanbaoHost(app, database, health, server, demoKeys) { _metrics = metrics };
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _health.DisposeAsync();
        await _database.DisposeAsync();
        _metrics?.Dispose();
    }

    /// <summary>Registers a Danbao service after checking every rpc declares its roles.</summary>
    private static void AddDanbao(GrpcServiceRegistry registry, Google.Protobuf.Reflection.ServiceDescriptor service, object handler)
    {
        AuthInterceptor.CheckDeclared(handler.GetType(), service);
        registry.AddService(service, handler);
    }
}
