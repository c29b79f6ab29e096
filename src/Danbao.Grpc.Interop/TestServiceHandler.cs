using Google.Protobuf;
using Grpc.Testing;
using GrpcMetadata = Danbao.Grpc.Metadata;

namespace Danbao.Grpc.Interop;

/// <summary>
/// grpc.testing.TestService as the gRPC interop specification describes it, served on our layer.
/// UnimplementedCall is deliberately left out (it must answer UNIMPLEMENTED).
/// </summary>
public sealed class TestServiceHandler
{
    /// <summary>Largest payload a test may ask for; the interop cases need at most 314159 bytes.</summary>
    public const int ResponseSizeMax = 4 * 1024 * 1024;

    /// <summary>Most responses one streaming request may ask for.</summary>
    public const int ResponseCountMax = 10_000;

    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    /// <summary>The rpcs this handler leaves UNIMPLEMENTED on purpose.</summary>
    public static readonly string[] UnimplementedMethods = ["UnimplementedCall"];

    /// <summary>Empty in, empty out.</summary>
    public async Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        return new Empty();
    }

    /// <summary>One request, one response of the requested size; honours compression and status echo.</summary>
    public async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        CheckCompression(request.ExpectCompressed, context);
        // Before the echo: echoing sends the headers, which fix whether gzip is on.
        context.CompressResponses = request.ResponseCompressed?.Value ?? context.CompressResponses;
        await EchoMetadataAsync(context).ConfigureAwait(false);
        ThrowIfStatusRequested(request.ResponseStatus);
        return new SimpleResponse { Payload = PayloadOf(request.ResponseSize) };
    }

    /// <summary>Same as UnaryCall (no cache in between here).</summary>
    public Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context) => UnaryCall(request, context);

    /// <summary>One request, a stream of responses as the parameters say.</summary>
    public async Task StreamingOutputCall(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        await WriteResponsesAsync(request, responses, context).ConfigureAwait(false);
        ThrowIfStatusRequested(request.ResponseStatus);
    }

    /// <summary>A stream of requests, one response with the total payload size.</summary>
    public async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        long total = 0;
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            CheckCompression(requests.Current.ExpectCompressed, context);
            total += requests.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = (int)Math.Min(total, int.MaxValue) };
    }

    /// <summary>Each request answered as it arrives (ping-pong).</summary>
    public async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            ThrowIfStatusRequested(requests.Current.ResponseStatus);
            await WriteResponsesAsync(requests.Current, responses, context).ConfigureAwait(false);
        }
    }

    /// <summary>All requests first, then all responses in order.</summary>
    public async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        var buffered = new List<StreamingOutputCallRequest>();
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            if (buffered.Count >= ResponseCountMax)
            {
                throw new RpcException(StatusCode.ResourceExhausted, $"At most {ResponseCountMax} requests.");
            }
            buffered.Add(requests.Current);
        }
        foreach (StreamingOutputCallRequest request in buffered)
        {
            await WriteResponsesAsync(request, responses, context).ConfigureAwait(false);
        }
    }

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        if (request.ResponseParameters.Count > ResponseCountMax)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"At most {ResponseCountMax} responses per request.");
        }
        if (request.ResponseParameters.Any(p => p.Compressed?.Value == true))
        {
            // The gzip header must go out before the first message for any message to be compressed.
            context.CompressResponses = true;
        }
        foreach (ResponseParameters parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken).ConfigureAwait(false);
            }
            context.CompressResponses = parameters.Compressed?.Value ?? false;
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = PayloadOf(parameters.Size) }).ConfigureAwait(false);
        }
    }

    private static void CheckCompression(BoolValue? expectCompressed, ServerCallContext context)
    {
        if (expectCompressed is null)
        {
            return;
        }
        if (expectCompressed.Value != context.RequestCompressed)
        {
            throw new RpcException(StatusCode.InvalidArgument,
                expectCompressed.Value ? "Expected a compressed request." : "Expected an uncompressed request.");
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var raw = context.HttpContext.Request.Headers;
        if (!raw.ContainsKey(EchoInitialKey) && !raw.ContainsKey(EchoTrailingKey))
        {
            return; // Most calls: skip building the metadata view (keeps the benchmark about the layer).
        }
        byte[]? trailing = context.RequestHeaders.GetBytes(EchoTrailingKey);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }
        string? initial = context.RequestHeaders.Get(EchoInitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new GrpcMetadata().Add(EchoInitialKey, initial)).ConfigureAwait(false);
        }
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is null || status.Code == 0)
        {
            return;
        }
        if (status.Code is < 0 or > 16)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"Status code {status.Code} out of range.");
        }
        throw new RpcException((StatusCode)status.Code, status.Message);
    }

    private static Payload PayloadOf(int size)
    {
        if (size is < 0 or > ResponseSizeMax)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"Response size must be in 0..{ResponseSizeMax}.");
        }
        return new Payload { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
    }
}
