using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Interop;

/// <summary>
/// grpc.testing.TestService as the gRPC interop specification describes it. UnimplementedCall is
/// deliberately not overridden (the generated base answers UNIMPLEMENTED).
/// </summary>
public sealed class InteropTestService : TestService.TestServiceBase
{
    /// <summary>Largest payload a test may ask for; the interop cases need at most 314159 bytes.</summary>
    public const int ResponseSizeMax = 4 * 1024 * 1024;

    /// <summary>Most responses one streaming request may ask for.</summary>
    public const int ResponseCountMax = 10_000;

    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";
    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);
    private static readonly WriteOptions Compressed = new();

    /// <summary>Empty in, empty out.</summary>
    public override async Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        return new Empty();
    }

    /// <summary>One request, one response of the requested size; honours compression and status echo.</summary>
    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        CheckCompression(request.ExpectCompressed, context);
        context.WriteOptions = request.ResponseCompressed?.Value == true ? Compressed : Uncompressed;
        await EchoMetadataAsync(context).ConfigureAwait(false);
        ThrowIfStatusRequested(request.ResponseStatus);
        return new SimpleResponse { Payload = PayloadOf(request.ResponseSize) };
    }

    /// <summary>Same as UnaryCall (no cache in between here).</summary>
    public override Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context) => UnaryCall(request, context);

    /// <summary>One request, a stream of responses as the parameters say.</summary>
    public override async Task StreamingOutputCall(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        await WriteResponsesAsync(request, responseStream, context).ConfigureAwait(false);
        ThrowIfStatusRequested(request.ResponseStatus);
    }

    /// <summary>A stream of requests, one response with the total payload size.</summary>
    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        long total = 0;
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            CheckCompression(requestStream.Current.ExpectCompressed, context);
            total += requestStream.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = (int)Math.Min(total, int.MaxValue) };
    }

    /// <summary>Each request answered as it arrives (ping-pong).</summary>
    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            ThrowIfStatusRequested(requestStream.Current.ResponseStatus);
            await WriteResponsesAsync(requestStream.Current, responseStream, context).ConfigureAwait(false);
        }
    }

    /// <summary>All requests first, then all responses in order.</summary>
    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream,
        IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        var buffered = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            if (buffered.Count >= ResponseCountMax)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"At most {ResponseCountMax} requests."));
            }
            buffered.Add(requestStream.Current);
        }
        foreach (StreamingOutputCallRequest request in buffered)
        {
            await WriteResponsesAsync(request, responseStream, context).ConfigureAwait(false);
        }
    }

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        if (request.ResponseParameters.Count > ResponseCountMax)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {ResponseCountMax} responses per request."));
        }
        foreach (ResponseParameters parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken).ConfigureAwait(false);
            }
            responses.WriteOptions = parameters.Compressed?.Value == true ? Compressed : Uncompressed;
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = PayloadOf(parameters.Size) }).ConfigureAwait(false);
        }
    }

    /// <summary>The request's grpc-encoding header says whether its messages were compressed (grpc-* headers are not in RequestHeaders).</summary>
    private static void CheckCompression(BoolValue? expectCompressed, ServerCallContext context)
    {
        if (expectCompressed is null)
        {
            return;
        }
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        var compressed = encoding.Length > 0 && encoding != "identity";
        if (expectCompressed.Value != compressed)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                expectCompressed.Value ? "Expected a compressed request." : "Expected an uncompressed request."));
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var raw = context.GetHttpContext().Request.Headers;
        if (!raw.ContainsKey(EchoInitialKey) && !raw.ContainsKey(EchoTrailingKey))
        {
            return; // Most calls: skip building the metadata view (keeps the benchmark about the host).
        }
        var trailing = context.RequestHeaders.GetValueBytes(EchoTrailingKey);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }
        var initial = context.RequestHeaders.GetValue(EchoInitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial } }).ConfigureAwait(false);
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
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Status code {status.Code} out of range."));
        }
        throw new RpcException(new Status((StatusCode)status.Code, status.Message));
    }

    private static Payload PayloadOf(int size)
    {
        if (size is < 0 or > ResponseSizeMax)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Response size must be in 0..{ResponseSizeMax}."));
        }
        return new Payload { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
    }
}
