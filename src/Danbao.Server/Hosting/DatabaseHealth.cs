using Danbao.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Danbao.Server.Hosting;

/// <summary>
/// Health as load balancers see it (grpc.health.v1 through Grpc.AspNetCore.HealthChecks): Healthy
/// while the database answers, Unhealthy (NOT_SERVING) when it does not. The database is probed
/// in the background once a second, so a health check never waits on the database.
/// </summary>
public sealed class DatabaseHealth(Database database) : BackgroundService, IHealthCheck
{
    /// <summary>Tag of the checks that make the overall status and every Danbao service's.</summary>
    public const string Tag = "database";

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private volatile bool _databaseUp;

    public bool DatabaseUp => _databaseUp;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_databaseUp ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("PostgreSQL does not answer"));

    /// <summary>Probes now (start-up waits for the first answer).</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            _databaseUp = await database.CanConnectAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _databaseUp = false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await ProbeAsync(stoppingToken);
            try
            {
                await Task.Delay(ProbeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
