using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

public sealed class StreamingCancellationTests
{
    [Fact]
    public async Task Cancelling_a_server_stream_after_the_first_message_cancels_it_on_both_sides()
    {
        var completed = new TaskCompletionSource<StatusCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Grpc = new GrpcServerOptions
            {
                CallCompleted = (context, code, _) =>
                {
                    if (context.Method.EndsWith("StreamingOutputCall", StringComparison.Ordinal))
                    {
                        completed.TrySetResult(code);
                    }
                },
            },
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}") });
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 10 });
        request.ResponseParameters.Add(new ResponseParameters { Size = 10, IntervalUs = 5_000_000 });
        using var cancel = new CancellationTokenSource();
        using var call = client.ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(
            "/grpc.testing.TestService/StreamingOutputCall", request, new CallOptions { CancellationToken = cancel.Token });

        int received = 0;
        RpcException ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (StreamingOutputCallResponse _ in call.ReadAllAsync())
            {
                received++;
                cancel.Cancel();
            }
        });
        Assert.Equal((1, StatusCode.Cancelled), (received, ex.StatusCode));
        // The server's handler stopped waiting (its token fired) instead of sleeping 5 s.
        Assert.Equal(StatusCode.Cancelled, await completed.Task.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Call_completed_hook_sees_the_final_status_even_for_an_oversized_response()
    {
        var codes = new System.Collections.Concurrent.ConcurrentQueue<StatusCode>();
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Grpc = new GrpcServerOptions { MaxSendMessageSizeBytes = 100, CallCompleted = (_, code, _) => codes.Enqueue(code) },
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], new ProbeHandler()),
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}") });
        await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>("/danbao.grpctest.v1.Probe/Call", new ProbeRequest { Size = 1000 }));
        await client.UnaryAsync<ProbeRequest, ProbeReply>("/danbao.grpctest.v1.Probe/Call", new ProbeRequest { Size = 10 });
        Assert.Equal(new[] { StatusCode.ResourceExhausted, StatusCode.OK }, codes.ToArray());
    }
}
