using Google.Protobuf;
using Google.Protobuf.Reflection;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Danbao.Grpc;

/// <summary>
/// grpc.reflection.v1 and v1alpha ServerReflectionInfo (bidi): answers each request as it
/// arrives. v1alpha messages are wire-identical to v1, so they are translated through bytes.
/// </summary>
public sealed class ReflectionService
{
    /// <summary>Requests answered per stream at most; a reflection client needs a handful.</summary>
    public const int RequestsPerStreamMax = 10_000;

    private readonly Lazy<ReflectionIndex> _index;

    /// <summary>Creates the service; <paramref name="services"/> is read on the first request.</summary>
    public ReflectionService(Func<IReadOnlyList<ServiceDescriptor>> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _index = new Lazy<ReflectionIndex>(() => new ReflectionIndex(services()));
    }

    /// <summary>grpc.reflection.v1.ServerReflection/ServerReflectionInfo.</summary>
    public async Task ServerReflectionInfo(IAsyncStreamReader<V1.ServerReflectionRequest> requests,
        IServerStreamWriter<V1.ServerReflectionResponse> responses, ServerCallContext context)
    {
        int answered = 0;
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            CountRequest(ref answered);
            await responses.WriteAsync(_index.Value.Answer(requests.Current)).ConfigureAwait(false);
        }
    }

    /// <summary>The same service under its v1alpha name, for older clients (grpcurl, grpcio 1.51).</summary>
    public sealed class V1AlphaEndpoint
    {
        private readonly ReflectionService _inner;

        internal V1AlphaEndpoint(ReflectionService inner) => _inner = inner;

        /// <summary>grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo.</summary>
        public async Task ServerReflectionInfo(IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requests,
            IServerStreamWriter<V1Alpha.ServerReflectionResponse> responses, ServerCallContext context)
        {
            int answered = 0;
            while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                CountRequest(ref answered);
                var request = V1.ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
                V1.ServerReflectionResponse answer = _inner._index.Value.Answer(request);
                await responses.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString())).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The v1alpha endpoint sharing this service's index.</summary>
    public V1AlphaEndpoint V1AlphaService => new(this);

    private static void CountRequest(ref int answered)
    {
        if (++answered > RequestsPerStreamMax)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"At most {RequestsPerStreamMax} requests per reflection stream.");
        }
    }
}
