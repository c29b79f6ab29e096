using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>A grpc-dotnet client against DanbaoHost's TestService: each kind of call, metadata, status, deadlines, cancellation, gzip.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class CallTests(SharedHost shared)
{
    private TestService.TestServiceClient Client => new(shared.Server.Channel());

    [Fact]
    public async Task Empty_and_large_unary_calls_succeed()
    {
        await Client.EmptyCallAsync(new Empty());
        var reply = await Client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271828]) } });
        Assert.Equal(314159, reply.Payload.Body.Length);
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        var request = new StreamingOutputCallRequest();
        foreach (var size in new[] { 31415, 9, 2653, 58979 })
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }
        using var call = Client.StreamingOutputCall(request);
        var sizes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            sizes.Add(reply.Payload.Body.Length);
        }
        Assert.Equal([31415, 9, 2653, 58979], sizes);
    }

    [Fact]
    public async Task Streaming_failure_after_messages_arrives_as_the_final_status()
    {
        var request = new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.Aborted, Message = "conflict" } };
        request.ResponseParameters.Add(new ResponseParameters { Size = 1 });
        request.ResponseParameters.Add(new ResponseParameters { Size = 2 });
        using var call = Client.StreamingOutputCall(request);
        var received = new List<int>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                received.Add(reply.Payload.Body.Length);
            }
        });
        Assert.Equal([1, 2], received);
        Assert.Equal((StatusCode.Aborted, "conflict"), (ex.StatusCode, ex.Status.Detail));
    }

    [Fact]
    public async Task Client_streaming_aggregates_every_request()
    {
        using var call = Client.StreamingInputCall();
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } });
        }
        await call.RequestStream.CompleteAsync();
        Assert.Equal(74922, (await call.ResponseAsync).AggregatedPayloadSize);
    }

    [Fact]
    public async Task Bidi_ping_pong_answers_each_request_before_the_next_is_sent()
    {
        using var call = Client.FullDuplexCall(deadline: DateTime.UtcNow.AddSeconds(10));
        foreach (var size in new[] { 31415, 9, 2653, 58979 })
        {
            var request = new StreamingOutputCallRequest();
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(size, call.ResponseStream.Current.Payload.Body.Length);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Metadata_travels_as_response_headers_and_binary_trailers()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1 });
        byte[] trailing = [0, 1, 2, 250, 251, 252, 253];
        using var call = Client.StreamingOutputCall(request, new Metadata
        {
            { "x-grpc-test-echo-initial", "hi" },
            { "x-grpc-test-echo-trailing-bin", trailing },
        });
        var headers = await call.ResponseHeadersAsync;
        Assert.Equal("hi", headers.GetValue("x-grpc-test-echo-initial"));
        var count = 0;
        await foreach (var _ in call.ResponseStream.ReadAllAsync())
        {
            count++;
        }
        Assert.Equal(1, count);
        Assert.Equal(trailing, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
    }

    [Fact]
    public async Task Status_with_a_unicode_and_control_character_message_is_echoed_exactly()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100%";
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.UnaryCallAsync(new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }));
        Assert.Equal((StatusCode.Unknown, message), (ex.StatusCode, ex.Status.Detail));
    }

    [Fact]
    public async Task Unknown_method_and_service_are_unimplemented()
    {
        var invoker = shared.Server.Channel().CreateCallInvoker();
        var marshaller = Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom);
        foreach (var (service, method) in new[]
                 {
                     ("grpc.testing.TestService", "UnimplementedCall"), ("grpc.testing.UnimplementedService", "UnimplementedCall"),
                     ("grpc.testing.TestService", "NoSuchMethod"), ("danbao.v1.LoanService", "NoSuchMethod"), ("danbao.v9.NoSuchService", "Call"),
                 })
        {
            var descriptor = new Method<Empty, Empty>(MethodType.Unary, service, method, marshaller, marshaller);
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(descriptor, null, new CallOptions(), new Empty()));
            Assert.True(ex.StatusCode == StatusCode.Unimplemented, $"/{service}/{method}: {ex.Status}");
        }
    }

    [Fact]
    public async Task A_client_deadline_ends_a_sleeping_call_with_deadline_exceeded()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1, IntervalUs = 30_000_000 });
        var started = DateTime.UtcNow;
        using var call = Client.StreamingOutputCall(request, deadline: DateTime.UtcNow.AddMilliseconds(200));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the call waited for the 30 s sleep");
    }

    [Fact]
    public async Task The_server_itself_ends_a_call_at_the_grpc_timeout_it_was_sent()
    {
        // The raw request sends grpc-timeout but never cancels itself: the status comes from the server.
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1, IntervalUs = 30_000_000 });
        var reply = await RawGrpc.PostAsync(shared.Server.Port, "/grpc.testing.TestService/StreamingOutputCall",
            RawGrpc.Frame(0, request.ToByteArray()), headers: ("grpc-timeout", "100m"));
        Assert.Equal(((int)StatusCode.DeadlineExceeded).ToString(), reply.GrpcStatus);
    }

    [Fact]
    public async Task Cancelling_before_the_first_message_fails_the_call_with_cancelled()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1, IntervalUs = 30_000_000 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        using var call = Client.StreamingOutputCall(request, cancellationToken: cancel.Token);
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_server_stream_after_the_first_message_cancels_it_on_both_sides()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 10 });
        request.ResponseParameters.Add(new ResponseParameters { Size = 77_777, IntervalUs = 30_000_000 });
        // A host of its own, so the CANCELLED line in its log can only be this call's.
        await using var host = await TransportHost.StartAsync();
        using var cancel = new CancellationTokenSource();
        using var call = new TestService.TestServiceClient(host.Channel()).StreamingOutputCall(request, cancellationToken: cancel.Token);
        var received = 0;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                received++;
                await cancel.CancelAsync();
            }
        });
        Assert.Equal((1, StatusCode.Cancelled), (received, ex.StatusCode));
        // The server's handler stopped waiting (its token fired) instead of sleeping 30 s: the call log says CANCELLED.
        Assert.True(await host.Logs.WaitForAsync(
                e => e.Message.StartsWith("rpc /grpc.testing.TestService/StreamingOutputCall CANCELLED", StringComparison.Ordinal), TimeSpan.FromSeconds(15)),
            "the server did not log the call as CANCELLED");
    }

    [Fact]
    public async Task Gzip_works_in_both_directions()
    {
        // The client compresses the request (the service checks grpc-encoding), and reads a compressed response.
        var compressed = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var reply = await Client.UnaryCallAsync(new SimpleRequest
        {
            ExpectCompressed = new BoolValue { Value = true }, ResponseCompressed = new BoolValue { Value = true },
            ResponseSize = 100_000, Payload = new Payload { Body = ByteString.CopyFrom(new byte[50_000]) },
        }, compressed);
        Assert.Equal(100_000, reply.Payload.Body.Length);

        // The response really is gzip on the wire: grpc-encoding gzip, flag byte 1, far fewer bytes than 100 000.
        var raw = await RawGrpc.PostAsync(shared.Server.Port, "/grpc.testing.TestService/UnaryCall",
            RawGrpc.Frame(0, new SimpleRequest { ResponseCompressed = new BoolValue { Value = true }, ResponseSize = 100_000 }.ToByteArray()),
            headers: ("grpc-accept-encoding", "gzip"));
        Assert.Equal("0", raw.GrpcStatus);
        Assert.Equal("gzip", RawGrpc.Reply.Value(raw.Headers, "grpc-encoding"));
        Assert.Equal(1, raw.Body[0]);
        Assert.True(raw.Body.Length < 10_000, $"body {raw.Body.Length} bytes");

        // The host compresses what a client accepts gzip for, not only the test service's replies: a
        // streamed reflection answer (the loans proto's descriptors, several kilobytes) ...
        var reflection = await RawGrpc.PostAsync(shared.Server.Port, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            RawGrpc.Frame(0, new global::Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = "danbao.v1.LoanService" }.ToByteArray()),
            headers: ("grpc-accept-encoding", "gzip"));
        Assert.Equal(("0", "gzip", (byte)1), (reflection.GrpcStatus, RawGrpc.Reply.Value(reflection.Headers, "grpc-encoding"), reflection.Body[0]));

        // ... but a unary reply under --compress-min-bytes (4096) goes plain: a health check's few bytes.
        var health = await RawGrpc.PostAsync(shared.Server.Port, "/grpc.health.v1.Health/Check",
            RawGrpc.Frame(0, new global::Grpc.Health.V1.HealthCheckRequest().ToByteArray()), headers: ("grpc-accept-encoding", "gzip"));
        Assert.Equal(("0", (byte)0), (health.GrpcStatus, health.Body[0]));

        // The interop probe: expect_compressed=true sent plain must fail.
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.UnaryCallAsync(new SimpleRequest { ExpectCompressed = new BoolValue { Value = true } }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }
}
