using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Danbao.Server.Telemetry;

/// <summary>
/// GET /metrics on the optional --metrics-port (plain HTTP/1.1, for Prometheus): the calls'
/// counters and latency histograms per method and code, and the Npgsql connection pool's own
/// instruments (meter "Npgsql": db.client.connections.usage by state, .max, .pending_requests,
/// .timeouts), read in-process with a MeterListener. No labels carry connection strings.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _observed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _cumulative = new(StringComparer.Ordinal);
    private readonly Lock _scrape = new();

    public MetricsEndpoint()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && (instrument.Name.StartsWith("db.client.connections.", StringComparison.Ordinal) || instrument.Name.StartsWith("db.client.connection.", StringComparison.Ordinal)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The whole exposition: gRPC series, then the pool's.</summary>
    public string Render(CallMetrics calls)
    {
        var sb = new StringBuilder(calls.ToPrometheusText());
        lock (_scrape)
        {
            _observed.Clear();
            _listener.RecordObservableInstruments();
            foreach (var group in _observed.Concat(_cumulative).GroupBy(p => p.Key[..p.Key.IndexOf('{', StringComparison.Ordinal)]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                sb.Append(CultureInfo.InvariantCulture, $"# TYPE {group.Key} gauge\n");
                foreach (var (series, value) in group.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{series} {value}\n");
                }
            }
        }
        return sb.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var state = "";
        foreach (var tag in tags)
        {
            if (tag.Key is "state" or "db.client.connection.state")
            {
                state = $"state=\"{tag.Value}\"";
            }
        }
        var series = $"{instrument.Name.Replace('.', '_')}{{{state}}}";
        if (instrument.IsObservable)
        {
            // Summed over pools (one data source per server).
            _observed.AddOrUpdate(series, value, (_, v) => v + value);
        }
        else
        {
            _cumulative.AddOrUpdate(series, value, (_, v) => v + value);
        }
    }

    public void Dispose() => _listener.Dispose();
}
