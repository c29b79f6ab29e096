using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Danbao.Grpc;

/// <summary>
/// Says whether a service is serving. The host implements it to report NOT_SERVING when, for
/// example, its database is unreachable. The empty service name means the server as a whole.
/// </summary>
public interface IHealthStatusProvider
{
    /// <summary>The status of <paramref name="service"/>, or null when the name is unknown.</summary>
    ValueTask<ServingStatus?> GetStatusAsync(string service, CancellationToken cancellationToken);
}

/// <summary>A settable health map: "" (overall) starts SERVING; other names are unknown until set.</summary>
public sealed class HealthStatusMap : IHealthStatusProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);

    /// <summary>Creates a map with the overall status SERVING.</summary>
    public HealthStatusMap() => _statuses[string.Empty] = ServingStatus.Serving;

    /// <summary>Sets the status of <paramref name="service"/> ("" for overall).</summary>
    public void Set(string service, ServingStatus status) => _statuses[service ?? string.Empty] = status;

    /// <summary>Forgets <paramref name="service"/>: it becomes unknown.</summary>
    public void Remove(string service) => _statuses.TryRemove(service, out _);

    /// <inheritdoc />
    public ValueTask<ServingStatus?> GetStatusAsync(string service, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_statuses.TryGetValue(service, out ServingStatus status) ? status : (ServingStatus?)null);
}
