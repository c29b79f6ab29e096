using Danbao.Data;
using Danbao.Data.Policy;

namespace Danbao.Server.Reference;

/// <summary>
/// Policy versions, LPR and calendar, loaded from the database and kept in memory: they change
/// rarely (a new version usually takes effect from a later date) and every decision reads them.
/// Reads never wait for the database once the cache is warm: a copy older than <see cref="Ttl"/>
/// is still served while one background refresh runs. (Reloading inline, on a second pooled
/// connection while the caller's transaction holds one, deadlocked the pool under load.)
/// A change made through this server is loaded at once (<see cref="ReloadAsync"/>); one made by
/// another instance is seen within about <see cref="Ttl"/>. A reload that found nothing new keeps the copy in use.
/// </summary>
public sealed class ReferenceDataCache(Database database, TimeProvider clock)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Loaded? _current;
    private int _refreshing;

    public async Task<PolicyReferenceData> GetAsync(CancellationToken ct)
    {
        var current = _current;
        if (current is null)
        {
            // Only before the first successful load (e.g. the database was down at start-up).
            return await ReloadAsync(ct);
        }
        if (clock.GetUtcNow() - current.LoadedAt > Ttl)
        {
            RefreshInBackground();
        }
        return current.Data;
    }

    /// <summary>Loads now, on a connection of its own. Call it holding no pooled connection.</summary>
    public async Task<PolicyReferenceData> ReloadAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            await using var session = await database.OpenReadSessionAsync(ct);
            var data = await session.Policy.LoadAsync();
            // A reload that found nothing new keeps the copy in use: what is kept against it (GetLoan's replies,
            // LoanSnapshots) stays valid, instead of every loan being read again every Ttl.
            if (_current is { } previous && previous.Data.SameContentAs(data))
            {
                data = previous.Data;
            }
            _current = new Loaded(data, clock.GetUtcNow());
            return data;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Warms the cache at start-up; a database that is down is not fatal (reads load it later).</summary>
    public async Task WarmAsync(CancellationToken ct)
    {
        try
        {
            await ReloadAsync(ct);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex) || ex is Npgsql.NpgsqlException)
        {
            // Health reports NOT_SERVING meanwhile; the first read after recovery loads the data.
        }
    }

    private void RefreshInBackground()
    {
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ReloadAsync(CancellationToken.None);
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) || ex is Npgsql.NpgsqlException)
            {
                // Keep serving the last copy; the next read past the TTL tries again.
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    private sealed record Loaded(PolicyReferenceData Data, DateTimeOffset LoadedAt);
}
