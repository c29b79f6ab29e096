using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Testing;
using GrpcMetadata = Danbao.Grpc.Metadata;
using GrpcStatusCode = Danbao.Grpc.StatusCode;

namespace Danbao.Grpc.Tests;

/// <summary>Our client against our server, feature by feature.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientServerTests(ServerFixture fixture)
{
    private const string Test = "/grpc.testing.TestService/";
    private const string ProbeCall = "/danbao.grpctest.v1.Probe/Call";
    private readonly GrpcClient _client = fixture.Client;

    [Fact]
    public async Task Empty_and_large_unary_calls_succeed()
    {
        await _client.UnaryAsync<Empty, Empty>(Test + "EmptyCall", new Empty());
        SimpleResponse reply = await _client.UnaryAsync<SimpleRequest, SimpleResponse>(Test + "UnaryCall",
            new SimpleRequest { ResponseSize = 314159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271828]) } });
        Assert.Equal(314159, reply.Payload.Body.Length);
    }

    [Fact]
    public async Task Call_by_method_descriptor_uses_the_descriptor_types()
    {
        var method = TestReflection.Descriptor.Services[0].FindMethodByName("UnaryCall");
        UnaryResult<IMessage> result = await _client.UnaryAsync(method, new SimpleRequest { ResponseSize = 10 });
        Assert.Equal(10, Assert.IsType<SimpleResponse>(result.Response).Payload.Body.Length);
        SimpleResponse typed = await _client.UnaryAsync<SimpleRequest, SimpleResponse>(method, new SimpleRequest { ResponseSize = 3 });
        Assert.Equal(3, typed.Payload.Body.Length);
        await Assert.ThrowsAsync<ArgumentException>(() => _client.UnaryAsync<SimpleRequest, Empty>(method, new SimpleRequest()));
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        var request = new StreamingOutputCallRequest();
        foreach (int size in new[] { 31415, 9, 2653, 58979 })
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }
        using var call = _client.ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(Test + "StreamingOutputCall", request);
        var sizes = new List<int>();
        await foreach (StreamingOutputCallResponse reply in call.ReadAllAsync())
        {
            sizes.Add(reply.Payload.Body.Length);
        }
        Assert.Equal(new[] { 31415, 9, 2653, 58979 }, sizes);
    }

    [Fact]
    public async Task Streaming_failure_after_messages_arrives_in_trailers_with_details()
    {
        using var call = _client.ServerStreaming<ProbeRequest, ProbeReply>("/danbao.grpctest.v1.Probe/Stream", new ProbeRequest { Mode = "fail-after-2", Size = 5 });
        var received = new List<int>();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (ProbeReply reply in call.ReadAllAsync())
            {
                received.Add(reply.Attempt);
            }
        });
        Assert.Equal(new[] { 0, 1 }, received);
        Assert.Equal(GrpcStatusCode.Aborted, ex.StatusCode);
        Assert.Equal("CONFLICT", ex.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
    }

    [Fact]
    public async Task Client_deadline_ends_a_sleeping_call_with_deadline_exceeded()
    {
        var started = DateTime.UtcNow;
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Mode = "sleep" }, new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Server_reports_deadline_exceeded_even_when_the_handler_ignores_the_token()
    {
        // The raw request sends grpc-timeout but never cancels itself: the status comes from the server.
        byte[] body = RawGrpc.Frame(0, new ProbeRequest { Mode = "sleep-ignoring-token" }.ToByteArray());
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, ProbeCall, body, headers: ("grpc-timeout", "100m"));
        Assert.Equal("4", reply.GrpcStatus);
        reply = await RawGrpc.PostAsync(fixture.Port, ProbeCall, RawGrpc.Frame(0, new ProbeRequest { Mode = "sleep" }.ToByteArray()), headers: ("grpc-timeout", "100m"));
        Assert.Equal("4", reply.GrpcStatus);
    }

    [Fact]
    public async Task Cancelling_the_token_fails_the_call_with_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Mode = "sleep" }, new CallOptions { CancellationToken = cancel.Token }));
        Assert.Equal(GrpcStatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Gzip_works_in_both_directions()
    {
        ProbeReply compressed = await _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Mode = "compression", Size = 100_000, Body = ByteString.CopyFrom(new byte[50_000]) },
            new CallOptions { CompressRequest = true });
        Assert.Equal(("compressed", 100_000), (compressed.Text, compressed.Body.Length));

        // The response really is compressed on the wire: flag byte 1 and far fewer bytes than 100 000.
        RawGrpc.Reply raw = await RawGrpc.PostAsync(fixture.Port, ProbeCall,
            RawGrpc.Frame(0, new ProbeRequest { Mode = "compression", Size = 100_000 }.ToByteArray()),
            headers: ("grpc-accept-encoding", "gzip"));
        Assert.Equal("0", raw.GrpcStatus);
        Assert.Equal("gzip", RawGrpc.Reply.Value(raw.Headers, "grpc-encoding"));
        Assert.Equal(1, raw.Body[0]);
        Assert.True(raw.Body.Length < 10_000, $"body {raw.Body.Length} bytes");

        // The interop probe: expect_compressed=true sent plain must fail.
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<SimpleRequest, SimpleResponse>(Test + "UnaryCall",
            new SimpleRequest { ExpectCompressed = new BoolValue { Value = true } }));
        Assert.Equal(GrpcStatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task Metadata_travels_as_headers_and_trailers_including_binary_and_authorization()
    {
        byte[] binary = [0, 1, 2, 250, 251, 252, 253];
        UnaryResult<ProbeReply> result = await _client.UnaryWithMetadataAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Mode = "echo-headers" },
            new CallOptions { Headers = new GrpcMetadata().Add("x-probe", "hello").Add("x-probe-bin", binary), BearerToken = "t0ken" });
        Assert.Equal("hello", result.Headers.Get("x-echo"));
        Assert.Equal(binary, result.Trailers.GetBytes("x-echo-bin"));
        Assert.Equal(binary, result.Response.Body.ToByteArray());
        Assert.Equal("Bearer t0ken", result.Response.Text);
        Assert.False(result.Headers.ContainsKey("content-type"));
        Assert.False(result.Trailers.ContainsKey("grpc-status"));
    }

    [Fact]
    public async Task Binary_metadata_is_accepted_padded_or_unpadded()
    {
        foreach (string encoded in new[] { "AAEC+g==", "AAEC+g" })
        {
            RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, ProbeCall,
                RawGrpc.Frame(0, new ProbeRequest { Mode = "echo-headers" }.ToByteArray()), headers: ("x-probe-bin", encoded));
            Assert.Equal("0", reply.GrpcStatus);
            Assert.Equal("AAEC+g", RawGrpc.Reply.Value(reply.Trailers, "x-echo-bin")); // we emit unpadded
        }
    }

    [Fact]
    public async Task Rich_errors_arrive_decoded_with_their_details()
    {
        RpcException invalid = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "invalid-argument" }));
        Assert.Equal(GrpcStatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("Bad loan request.", invalid.StatusMessage);
        Google.Rpc.BadRequest badRequest = invalid.GetDetail<Google.Rpc.BadRequest>()!;
        Assert.Equal(new[] { "amount_fen", "term_months" }, badRequest.FieldViolations.Select(v => v.Field));

        RpcException precondition = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "failed-precondition" }));
        Google.Rpc.ErrorInfo info = precondition.GetDetail<Google.Rpc.ErrorInfo>()!;
        Assert.Equal(("LOAN_CLOSED", "danbao.gov.cn", "L-1"), (info.Reason, info.Domain, info.Metadata["loan_id"]));
    }

    [Fact]
    public async Task Unexpected_handler_exception_becomes_internal_without_leaking_details()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "crash" }));
        Assert.Equal(GrpcStatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.StatusMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("at ", ex.StatusMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_and_unicode_message_are_echoed_trailers_only()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<SimpleRequest, SimpleResponse>(Test + "UnaryCall",
            new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }));
        Assert.Equal((GrpcStatusCode.Unknown, message), (ex.StatusCode, ex.StatusMessage));

        RawGrpc.Reply raw = await RawGrpc.PostAsync(fixture.Port, Test + "UnaryCall",
            RawGrpc.Frame(0, new SimpleRequest { ResponseStatus = new EchoStatus { Code = 5, Message = "gone" } }.ToByteArray()));
        Assert.True(raw.TrailersOnly);
        Assert.Empty(raw.Body);
        Assert.Equal(("5", "gone"), (raw.GrpcStatus, raw.GrpcMessage));
    }

    [Fact]
    public async Task Unknown_method_and_service_are_unimplemented()
    {
        foreach (string path in new[] { Test + "UnimplementedCall", "/grpc.testing.UnimplementedService/UnimplementedCall", Test + "NoSuchMethod" })
        {
            RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<Empty, Empty>(path, new Empty()));
            Assert.Equal(GrpcStatusCode.Unimplemented, ex.StatusCode);
        }
    }

    [Fact]
    public async Task Interceptors_run_in_order_around_the_handler_and_see_the_request()
    {
        UnaryResult<ProbeReply> result = await _client.UnaryWithMetadataAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "trace" });
        string[] trace = result.Trailers.GetAll("x-trace").Select(e => e.Value!).ToArray();
        Assert.Equal(new[] { ">A:Call", ">B:Call", "handler", "<B", "<A" }, trace);
    }

    [Fact]
    public async Task An_interceptor_can_refuse_the_call_before_the_handler()
    {
        int before = fixture.Probe.AttemptsOf("denied-mode");
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall,
            new ProbeRequest { Mode = "denied-mode" }, new CallOptions { Headers = new GrpcMetadata().Add("x-deny", "1") }));
        Assert.Equal(GrpcStatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal("NO_TOKEN", ex.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
        Assert.Equal(before, fixture.Probe.AttemptsOf("denied-mode"));
    }

    [Fact]
    public async Task Health_check_follows_the_provider()
    {
        const string check = "/grpc.health.v1.Health/Check";
        var overall = await _client.UnaryAsync<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>(check, new() { Service = "" });
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);

        fixture.Health.Set("danbao.db", global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing);
        var db = await _client.UnaryAsync<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>(check, new() { Service = "danbao.db" });
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, db.Status);

        RpcException ex = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UnaryAsync<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>(check, new() { Service = "nope" }));
        Assert.Equal(GrpcStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Health_watch_pushes_each_change_of_status()
    {
        var serving = global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
        var notServing = global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing;
        fixture.Health.Set("danbao.watch", serving);
        using var call = _client.ServerStreaming<global::Grpc.Health.V1.HealthCheckRequest, global::Grpc.Health.V1.HealthCheckResponse>(
            "/grpc.health.v1.Health/Watch", new() { Service = "danbao.watch" }, new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
        var seen = new List<global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus>();
        await foreach (var update in call.ReadAllAsync())
        {
            seen.Add(update.Status);
            if (seen.Count == 1)
            {
                fixture.Health.Set("danbao.watch", notServing);
            }
            else
            {
                break;
            }
        }
        Assert.Equal(new[] { serving, notServing }, seen);
    }

    [Fact]
    public async Task Server_stream_exposes_response_headers_then_trailers()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1 });
        byte[] trailing = [9, 8, 7];
        using var call = _client.ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(Test + "StreamingOutputCall", request,
            new CallOptions { Headers = new GrpcMetadata().Add("x-grpc-test-echo-initial", "hi").Add("x-grpc-test-echo-trailing-bin", trailing) });
        GrpcMetadata headers = await call.ResponseHeadersAsync();
        Assert.Equal("hi", headers.Get("x-grpc-test-echo-initial"));
        int count = 0;
        await foreach (StreamingOutputCallResponse _ in call.ReadAllAsync())
        {
            count++;
        }
        Assert.Equal(1, count);
        Assert.Equal(trailing, call.GetTrailers().GetBytes("x-grpc-test-echo-trailing-bin"));
    }

    [Fact]
    public async Task Metrics_count_calls_by_method_and_code()
    {
        await _client.UnaryAsync<Empty, Empty>(Test + "EmptyCall", new Empty());
        await Assert.ThrowsAsync<RpcException>(() => _client.UnaryAsync<Empty, Empty>(Test + "UnimplementedCall", new Empty()));
        IReadOnlyList<GrpcMethodStats> stats = fixture.Server.Server.Metrics.Snapshot();
        Assert.Contains(stats, s => s.Method == Test + "EmptyCall" && s.Code == GrpcStatusCode.OK && s.Count >= 1);
        Assert.Contains(stats, s => s.Method == Test + "UnimplementedCall" && s.Code == GrpcStatusCode.Unimplemented);
        string text = fixture.Server.Server.Metrics.ToPrometheusText();
        Assert.Contains("grpc_server_handled_total{grpc_method=\"/grpc.testing.TestService/EmptyCall\",grpc_code=\"OK\"}", text, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handling_seconds_bucket", text, StringComparison.Ordinal);
    }
}
