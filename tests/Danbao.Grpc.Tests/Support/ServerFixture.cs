using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Probe;

namespace Danbao.Grpc.Tests.Support;

/// <summary>One interop server (TestService, Probe, health, reflection) per test run, on a free port.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public ProbeHandler Probe { get; } = new();

    public HealthStatusMap Health { get; } = new();

    public InteropServer Server { get; private set; } = null!;

    public int Port => Server.Port;

    public GrpcClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Health = Health,
            Configure = registry => registry
                .AddService(ProbeReflection.Descriptor.Services[0], Probe)
                .AddInterceptor(new DenyInterceptor())
                .AddInterceptor(new TraceInterceptor("A"))
                .AddInterceptor(new TraceInterceptor("B")),
        });
        Client = NewClient();
    }

    public GrpcClient NewClient(GrpcRetryOptions? retry = null, int maxReceiveBytes = 4 * 1024 * 1024) => new(new GrpcClientOptions
    {
        Address = new Uri($"http://127.0.0.1:{Port}"),
        Retry = retry ?? new GrpcRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        MaxReceiveMessageSizeBytes = maxReceiveBytes,
    });

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
