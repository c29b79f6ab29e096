using System.Net;
using System.Net.Sockets;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;

namespace Danbao.Grpc.Tests;

[Collection(ServerCollection.Name)]
public sealed class RetryTests(ServerFixture fixture)
{
    private const string ProbeCall = "/danbao.grpctest.v1.Probe/Call";

    [Fact]
    public async Task Unavailable_is_retried_when_the_request_has_a_request_id()
    {
        string id = Guid.NewGuid().ToString("N");
        ProbeReply reply = await fixture.Client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { RequestId = id, Mode = "unavailable-twice" });
        Assert.Equal(3, reply.Attempt);
        Assert.Equal(3, fixture.Probe.AttemptsOf(id));
    }

    [Fact]
    public async Task Without_request_id_unavailable_is_not_retried()
    {
        using var client = fixture.NewClient();
        int before = fixture.Probe.AttemptsOf("always-unavailable");
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "always-unavailable" }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(before + 1, fixture.Probe.AttemptsOf("always-unavailable"));
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        using var client = fixture.NewClient(new GrpcRetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) });
        string id = Guid.NewGuid().ToString("N");
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { RequestId = id, Mode = "always-unavailable" }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(3, fixture.Probe.AttemptsOf(id));
    }

    [Fact]
    public async Task Other_failures_are_not_retried_even_with_request_id()
    {
        string id = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<RpcException>(() => fixture.Client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { RequestId = id, Mode = "invalid-argument" }));
        Assert.Equal(1, fixture.Probe.AttemptsOf(id));
    }

    [Fact]
    public async Task Connection_refused_is_unavailable_and_retried_until_the_deadline_or_attempts_run_out()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var client = new GrpcClient(new GrpcClientOptions
        {
            Address = new Uri($"http://127.0.0.1:{port}"),
            Retry = new GrpcRetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { RequestId = "r-1" }, new CallOptions { Timeout = TimeSpan.FromSeconds(5) }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }
}
