using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc.Interop;

/// <summary>How to start the standalone interop server.</summary>
public sealed class InteropServerOptions
{
    /// <summary>Server limits and defaults.</summary>
    public GrpcServerOptions Grpc { get; init; } = new();

    /// <summary>When set, listen with TLS (ALPN h2) using this certificate instead of h2c.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>With TLS: ask for client certificates chaining to these roots (mTLS).</summary>
    public GrpcClientCertificatePolicy? ClientCertificates { get; init; }

    /// <summary>Health statuses served by grpc.health.v1.Health (default: overall SERVING).</summary>
    public IHealthStatusProvider Health { get; init; } = new HealthStatusMap();

    /// <summary>Extra registrations (services, interceptors) made before the server is built.</summary>
    public Action<GrpcServiceRegistry>? Configure { get; init; }

    /// <summary>Lowest log level written to the console.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Extra logging set-up (e.g. a capturing provider in tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>
/// Registers TestService (for a host's <c>--interop</c> flag) and runs a standalone server with
/// TestService, health and reflection, for tests and the benchmark.
/// </summary>
public sealed class InteropServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropServer(WebApplication app, GrpcServer server, int port)
    {
        _app = app;
        Server = server;
        Port = port;
    }

    /// <summary>The port actually bound (useful when started on port 0).</summary>
    public int Port { get; }

    /// <summary>The gRPC server (for its metrics).</summary>
    public GrpcServer Server { get; }

    /// <summary>Registers grpc.testing.TestService on <paramref name="registry"/>.</summary>
    public static GrpcServiceRegistry AddTestService(GrpcServiceRegistry registry) =>
        registry.AddService(global::Grpc.Testing.TestReflection.Descriptor.Services[0], new TestServiceHandler(), TestServiceHandler.UnimplementedMethods);

    /// <summary>Starts on 127.0.0.1:<paramref name="port"/> (0 = any free port).</summary>
    public static async Task<InteropServer> StartAsync(int port, InteropServerOptions? options = null)
    {
        options ??= new InteropServerOptions();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.UseGrpcDefaults();
            if (options.TlsCertificate is null)
            {
                kestrel.ListenH2c(IPAddress.Loopback, port);
            }
            else
            {
                kestrel.ListenTls(IPAddress.Loopback, port, options.TlsCertificate, options.ClientCertificates);
            }
        });
        WebApplication app = builder.Build();
        var registry = new GrpcServiceRegistry();
        AddTestService(registry);
        registry.AddHealth(options.Health, TimeSpan.FromMilliseconds(100));
        options.Configure?.Invoke(registry);
        registry.AddReflection();
        GrpcServer server = app.UseGrpc(registry, options.Grpc);
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InteropServer(app, server, new Uri(address).Port);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
