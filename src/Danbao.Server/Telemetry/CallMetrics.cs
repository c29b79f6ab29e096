using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Grpc.Core;

namespace Danbao.Server.Telemetry;

/// <summary>
/// Call counts and latency histograms by method and status code, kept with atomic counters (no
/// locks on the call path), exposed as Prometheus text on the --metrics-port.
/// </summary>
public sealed class CallMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds.</summary>
    public static readonly double[] BucketBoundsSeconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const int CodeCount = 17;
    private static readonly int Width = BucketBoundsSeconds.Length + 1;
    private readonly ConcurrentDictionary<string, Counters> _byMethod = new(StringComparer.Ordinal);

    public void Record(string method, StatusCode code, TimeSpan elapsed)
    {
        var counters = _byMethod.GetOrAdd(method, _ => new Counters());
        var c = (int)code is >= 0 and < CodeCount ? (int)code : (int)StatusCode.Unknown;
        Interlocked.Increment(ref counters.Calls[c]);
        Interlocked.Add(ref counters.Ticks[c], elapsed.Ticks);
        var seconds = elapsed.TotalSeconds;
        var bucket = 0;
        while (bucket < BucketBoundsSeconds.Length && seconds > BucketBoundsSeconds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref counters.Buckets[c * Width + bucket]);
    }

    /// <summary>grpc_server_handled_total and grpc_server_handling_seconds, in Prometheus text.</summary>
    public string ToPrometheusText()
    {
        var rows = _byMethod.OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => Enumerable.Range(0, CodeCount).Where(c => Volatile.Read(ref p.Value.Calls[c]) > 0).Select(c => (Method: p.Key, Code: c, p.Value)))
            .ToList();
        var sb = new StringBuilder();
        sb.Append("# HELP grpc_server_handled_total Calls completed, by method and status code.\n# TYPE grpc_server_handled_total counter\n");
        foreach (var (method, code, counters) in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handled_total{{{Labels(method, code)}}} {Volatile.Read(ref counters.Calls[code])}\n");
        }
        sb.Append("# HELP grpc_server_handling_seconds Call duration, by method and status code.\n# TYPE grpc_server_handling_seconds histogram\n");
        foreach (var (method, code, counters) in rows)
        {
            long cumulative = 0;
            for (var i = 0; i < BucketBoundsSeconds.Length; i++)
            {
                cumulative += Volatile.Read(ref counters.Buckets[code * Width + i]);
                sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_bucket{{{Labels(method, code)},le=\"{BucketBoundsSeconds[i]}\"}} {cumulative}\n");
            }
            var count = Volatile.Read(ref counters.Calls[code]);
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_bucket{{{Labels(method, code)},le=\"+Inf\"}} {count}\n");
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_sum{{{Labels(method, code)}}} {TimeSpan.FromTicks(Volatile.Read(ref counters.Ticks[code])).TotalSeconds}\n");
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_count{{{Labels(method, code)}}} {count}\n");
        }
        return sb.ToString();
    }

    private static string Labels(string method, int code) => $"grpc_method=\"{method}\",grpc_code=\"{Contracts.StatusNames.Of((StatusCode)code)}\"";


    private sealed class Counters
    {
        public readonly long[] Calls = new long[CodeCount];
        public readonly long[] Ticks = new long[CodeCount];
        public readonly long[] Buckets = new long[CodeCount * Width];
    }
}
