using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace Danbao.Server.Telemetry;

/// <summary>
/// rpc.server.duration, the OpenTelemetry semantic conventions' histogram of inbound calls (unit ms,
/// attributes rpc.system = grpc, rpc.service, rpc.method, rpc.grpc.status_code), recorded once per
/// call by <see cref="Interceptors.CallLogging"/>. grpc-dotnet's own counters carry neither the method
/// nor the status code, so this is the one place calls are counted. With no OpenTelemetry listener
/// (no --metrics-port, no OTLP endpoint) recording is a no-op.
/// </summary>
public sealed class RpcMetrics
{
    /// <summary>The meter name the OpenTelemetry set-up listens to.</summary>
    public const string MeterName = "Danbao.Server";

    /// <summary>Bucket bounds in ms: finer than the SDK's default below 5 ms, where most calls finish.</summary>
    public static readonly double[] BucketBoundsMs = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    // The status code attribute is an int: boxed once per code, not once per call.
    private static readonly object[] BoxedCodes = Enumerable.Range(0, 17).Select(c => (object)c).ToArray();

    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, (string Service, string Method)> _names = new(StringComparer.Ordinal);

    public RpcMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("rpc.server.duration", unit: "ms", description: "Measures the duration of inbound RPC.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketBoundsMs });
    }

    public void Record(string fullMethod, StatusCode code, TimeSpan elapsed)
    {
        if (!_duration.Enabled)
        {
            return;
        }
        var (service, method) = _names.GetOrAdd(fullMethod, Split);
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", service },
            { "rpc.method", method },
            { "rpc.grpc.status_code", (int)code is >= 0 and < 17 ? BoxedCodes[(int)code] : (int)code },
        };
        _duration.Record(elapsed.TotalMilliseconds, tags);
    }

    /// <summary>"/danbao.v1.LoanService/GetLoan" → ("danbao.v1.LoanService", "GetLoan").</summary>
    private static (string, string) Split(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return slash > 0 ? (fullMethod[1..slash], fullMethod[(slash + 1)..]) : ("", fullMethod.TrimStart('/'));
    }
}
