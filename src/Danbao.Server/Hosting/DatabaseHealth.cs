using Danbao.Data;
using Danbao.Grpc;
using Grpc.Health.V1;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Danbao.Server.Hosting;

/// <summary>
/// Health as seen by load balancers: SERVING while the database answers, NOT_SERVING when it does
/// not. Probed in the background once a second so health checks never wait on the database.
/// "liveness" stays SERVING while the process runs (a restart would not bring the database back).
/// </summary>
public sealed class DatabaseHealth : IHealthStatusProvider, IAsyncDisposable
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private readonly Database _database;
    private readonly HashSet<string> _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _databaseUp;

    public DatabaseHealth(Database database, IEnumerable<string> serviceNames)
    {
        _database = database;
        _services = new HashSet<string>(serviceNames, StringComparer.Ordinal) { "", "liveness" };
        _loop = Task.Run(ProbeLoopAsync);
    }

    public bool DatabaseUp => _databaseUp;

    public ValueTask<ServingStatus?> GetStatusAsync(string service, CancellationToken cancellationToken)
    {
        if (!_services.Contains(service))
        {
            return ValueTask.FromResult<ServingStatus?>(null);
        }
        if (service == "liveness")
        {
            return ValueTask.FromResult<ServingStatus?>(ServingStatus.Serving);
        }
        return ValueTask.FromResult<ServingStatus?>(_databaseUp ? ServingStatus.Serving : ServingStatus.NotServing);
    }

    /// <summary>Probes now (start-up waits for the first answer).</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            _databaseUp = await _database.CanConnectAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _databaseUp = false;
        }
    }

    private async Task ProbeLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await ProbeAsync(_stop.Token);
            try
            {
                await Task.Delay(ProbeInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
