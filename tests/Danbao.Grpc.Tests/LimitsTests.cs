using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>Message size limits (4 MiB by default, --max-message-bytes otherwise) in every direction; the host keeps serving.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class LimitsTests(SharedHost shared)
{
    private const int FourMiB = 4 * 1024 * 1024;

    [Fact]
    public async Task A_message_over_4_MiB_either_way_is_resource_exhausted_and_the_server_stays_up()
    {
        // A client with no limits of its own, so the refusals below are the server's.
        var client = new TestService.TestServiceClient(shared.Server.Channel(maxReceiveBytes: null, maxSendBytes: null));

        var request = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryCallAsync(new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[FourMiB + 1]) } }));
        Assert.Equal(StatusCode.ResourceExhausted, request.StatusCode);

        // The largest payload the test service makes is 4 MiB of body, which with its framing is over 4 MiB.
        var response = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryCallAsync(new SimpleRequest { ResponseSize = FourMiB }));
        Assert.Equal(StatusCode.ResourceExhausted, response.StatusCode);

        var justUnder = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = FourMiB - 64 });
        Assert.Equal(FourMiB - 64, justUnder.Payload.Body.Length);
        await client.EmptyCallAsync(new Empty());
    }

    [Fact]
    public async Task A_smaller_max_message_bytes_applies_both_ways_and_after_decompression()
    {
        await using var host = await TransportHost.StartAsync((settings, _) => settings with { MaxMessageBytes = 1024 });
        var client = new TestService.TestServiceClient(host.Channel(maxReceiveBytes: null, maxSendBytes: null));

        var request = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryCallAsync(new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[2000]) } }));
        Assert.Equal(StatusCode.ResourceExhausted, request.StatusCode);

        // 100 000 zeros gzip to a few hundred bytes: the limit applies to the decompressed message.
        var zipped = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryCallAsync(
            new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[100_000]) } },
            new Metadata { { "grpc-internal-encoding-request", "gzip" } }));
        Assert.Equal(StatusCode.ResourceExhausted, zipped.StatusCode);

        var response = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 4000 }));
        Assert.Equal(StatusCode.ResourceExhausted, response.StatusCode);

        var ok = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 10 });
        Assert.Equal(10, ok.Payload.Body.Length);
    }

    [Fact]
    public async Task A_client_refuses_to_receive_or_send_beyond_its_own_limit()
    {
        var receiving = new TestService.TestServiceClient(shared.Server.Channel(maxReceiveBytes: 1500, maxSendBytes: null));
        var receive = await Assert.ThrowsAsync<RpcException>(async () => await receiving.UnaryCallAsync(new SimpleRequest { ResponseSize = 1800 }));
        Assert.Equal(StatusCode.ResourceExhausted, receive.StatusCode);

        var sending = new TestService.TestServiceClient(shared.Server.Channel(maxReceiveBytes: null, maxSendBytes: 100));
        var send = await Assert.ThrowsAsync<RpcException>(async () =>
            await sending.UnaryCallAsync(new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[200]) } }));
        Assert.Equal(StatusCode.ResourceExhausted, send.StatusCode);

        await receiving.EmptyCallAsync(new Empty());
    }
}
