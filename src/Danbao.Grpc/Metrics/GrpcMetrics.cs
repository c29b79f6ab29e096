using System.Globalization;
using System.Text;

namespace Danbao.Grpc;

/// <summary>
/// Call counts and latency histograms by method and status code, kept with atomic counters
/// (no locks on the call path). Publish with <see cref="Snapshot"/> or <see cref="ToPrometheusText"/>.
/// </summary>
public sealed class GrpcMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds.</summary>
    public static readonly double[] BucketBoundsSeconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Method label used for calls to paths no service serves.</summary>
    public const string UnknownMethod = "unknown";

    private readonly Dictionary<string, MethodMetrics> _byMethod;

    internal GrpcMetrics(IEnumerable<string> methods)
    {
        _byMethod = methods.ToDictionary(m => m, m => new MethodMetrics(m), StringComparer.Ordinal);
        _byMethod[UnknownMethod] = new MethodMetrics(UnknownMethod);
    }

    internal MethodMetrics For(string method) => _byMethod[method];

    internal void RecordUnknown(StatusCode code) => _byMethod[UnknownMethod].Record(code, TimeSpan.Zero);

    /// <summary>A consistent-enough copy of all non-zero series.</summary>
    public IReadOnlyList<GrpcMethodStats> Snapshot() =>
        _byMethod.Values.SelectMany(m => m.Snapshot()).OrderBy(s => s.Method, StringComparer.Ordinal).ThenBy(s => s.Code).ToList();

    /// <summary>Prometheus text exposition: grpc_server_handled_total and grpc_server_handling_seconds.</summary>
    public string ToPrometheusText()
    {
        var sb = new StringBuilder();
        IReadOnlyList<GrpcMethodStats> stats = Snapshot();
        sb.Append("# TYPE grpc_server_handled_total counter\n");
        foreach (GrpcMethodStats s in stats)
        {
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handled_total{{{Labels(s)}}} {s.Count}\n");
        }
        sb.Append("# TYPE grpc_server_handling_seconds histogram\n");
        foreach (GrpcMethodStats s in stats)
        {
            long cumulative = 0;
            for (int i = 0; i < BucketBoundsSeconds.Length; i++)
            {
                cumulative += s.BucketCounts[i];
                sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_bucket{{{Labels(s)},le=\"{BucketBoundsSeconds[i]}\"}} {cumulative}\n");
            }
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_bucket{{{Labels(s)},le=\"+Inf\"}} {s.Count}\n");
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_sum{{{Labels(s)}}} {s.SecondsSum}\n");
            sb.Append(CultureInfo.InvariantCulture, $"grpc_server_handling_seconds_count{{{Labels(s)}}} {s.Count}\n");
        }
        return sb.ToString();
    }

    private static string Labels(GrpcMethodStats s) =>
        $"grpc_method=\"{s.Method}\",grpc_code=\"{StatusCodeNames.Of(s.Code)}\"";
}

/// <summary>Counters of one method and one status code.</summary>
/// <param name="Method">Full method path.</param>
/// <param name="Code">Status code.</param>
/// <param name="Count">Calls ended with that code.</param>
/// <param name="SecondsSum">Sum of their durations.</param>
/// <param name="BucketCounts">Per-bucket (non-cumulative) counts for <see cref="GrpcMetrics.BucketBoundsSeconds"/>, plus one overflow bucket.</param>
public sealed record GrpcMethodStats(string Method, StatusCode Code, long Count, double SecondsSum, long[] BucketCounts);
