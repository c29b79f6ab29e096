namespace Danbao.Grpc;

/// <summary>Lock-free counters for one method, indexed by status code.</summary>
internal sealed class MethodMetrics
{
    private const int CodeCount = 17;
    private readonly string _method;
    private readonly long[] _counts = new long[CodeCount];
    private readonly long[] _ticks = new long[CodeCount];
    private readonly long[] _buckets = new long[CodeCount * (GrpcMetrics.BucketBoundsSeconds.Length + 1)];

    public MethodMetrics(string method) => _method = method;

    public void Record(StatusCode code, TimeSpan elapsed)
    {
        int c = (int)code is >= 0 and < CodeCount ? (int)code : (int)StatusCode.Unknown;
        Interlocked.Increment(ref _counts[c]);
        Interlocked.Add(ref _ticks[c], elapsed.Ticks);
        double seconds = elapsed.TotalSeconds;
        int bucket = 0;
        double[] bounds = GrpcMetrics.BucketBoundsSeconds;
        while (bucket < bounds.Length && seconds > bounds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _buckets[c * (bounds.Length + 1) + bucket]);
    }

    public IEnumerable<GrpcMethodStats> Snapshot()
    {
        int width = GrpcMetrics.BucketBoundsSeconds.Length + 1;
        for (int c = 0; c < CodeCount; c++)
        {
            long count = Volatile.Read(ref _counts[c]);
            if (count == 0)
            {
                continue;
            }
            long[] buckets = new long[width];
            for (int b = 0; b < width; b++)
            {
                buckets[b] = Volatile.Read(ref _buckets[c * width + b]);
            }
            yield return new GrpcMethodStats(_method, (StatusCode)c, count, TimeSpan.FromTicks(Volatile.Read(ref _ticks[c])).TotalSeconds, buckets);
        }
    }
}
