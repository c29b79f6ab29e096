using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf;

namespace Danbao.Grpc.Tests;

public sealed class LimitsTests
{
    private const string ProbeCall = "/danbao.grpctest.v1.Probe/Call";

    [Fact]
    public async Task Messages_over_the_size_limits_are_resource_exhausted_in_every_direction()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Grpc = new GrpcServerOptions { MaxReceiveMessageSizeBytes = 1024, MaxSendMessageSizeBytes = 2048 },
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], new ProbeHandler()),
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}"), MaxReceiveMessageSizeBytes = 1500 });

        // Request larger than the server accepts.
        RpcException tooBig = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Body = ByteString.CopyFrom(new byte[2000]) }));
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);

        // Gzip does not get around it: the limit applies after decompression.
        RpcException zipped = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Body = ByteString.CopyFrom(new byte[100_000]) }, new CallOptions { CompressRequest = true }));
        Assert.Equal(StatusCode.ResourceExhausted, zipped.StatusCode);

        // Response larger than the server may send.
        RpcException send = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Size = 4000 }));
        Assert.Equal(StatusCode.ResourceExhausted, send.StatusCode);

        // Response the server may send but the client will not take.
        RpcException receive = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Size = 1800 }));
        Assert.Equal(StatusCode.ResourceExhausted, receive.StatusCode);

        // Request the client refuses to send at all.
        using var strict = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}"), MaxSendMessageSizeBytes = 100 });
        RpcException local = await Assert.ThrowsAsync<RpcException>(() => strict.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Body = ByteString.CopyFrom(new byte[200]) }));
        Assert.Equal(StatusCode.ResourceExhausted, local.StatusCode);

        // And the server is still fine.
        ProbeReply ok = await client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Size = 10 });
        Assert.Equal(10, ok.Body.Length);
    }

    [Fact]
    public void Server_options_refuse_absurd_limits()
    {
        var registry = new GrpcServiceRegistry();
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Build(new GrpcServerOptions { MaxReceiveMessageSizeBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcClient(new GrpcClientOptions
        {
            Address = new Uri("http://127.0.0.1:1"),
            Retry = new GrpcRetryOptions { MaxAttempts = 50 },
        }));
    }
}
