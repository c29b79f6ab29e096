using Danbao.Data;
using Danbao.Data.Policy;

namespace Danbao.Server.Reference;

/// <summary>
/// Policy versions, LPR and calendar, loaded from the database and kept for a few seconds: they
/// change rarely (a new version usually takes effect from a later date) and are read on every
/// decision. A change made through this server is seen at once; one made by another instance
/// within <see cref="Ttl"/>.
/// </summary>
public sealed class ReferenceDataCache(Database database, TimeProvider clock)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private (PolicyReferenceData Data, DateTimeOffset Expires)? _current;

    public async Task<PolicyReferenceData> GetAsync(CancellationToken ct)
    {
        if (_current is { } hit && hit.Expires > clock.GetUtcNow())
        {
            return hit.Data;
        }
        await _loading.WaitAsync(ct);
        try
        {
            if (_current is { } again && again.Expires > clock.GetUtcNow())
            {
                return again.Data;
            }
            await using var conn = await database.DataSource.OpenConnectionAsync(ct);
            var data = await PolicyStore.LoadAsync(conn, ct);
            _current = (data, clock.GetUtcNow() + Ttl);
            return data;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Invalidate() => _current = null;
}
