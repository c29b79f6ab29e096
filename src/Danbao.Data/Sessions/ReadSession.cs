namespace Danbao.Data.Sessions;

/// <summary>
/// The request's read session, handed out by dependency injection (registered scoped: one per call).
/// It opens nothing until a handler first asks (<see cref="GetAsync"/>), so a call refused before it
/// reads costs no connection; then one pooled connection, no transaction, for every read of the call,
/// given back to the pool when the request's scope is disposed. Writes do not use it: the
/// WriteRunner opens a session of its own, because a retry must re-run the whole write on a fresh one;
/// it gives this one back first (<see cref="ReleaseAsync"/>), so a call never holds two connections
/// (with a full pool, a read's connection held across the write would wait on itself).
/// </summary>
public sealed class ReadSession(Database database) : IAsyncDisposable
{
    private Task<DbSession>? _session;

    /// <summary>The call's read session, opened on first use with the call's cancellation token.</summary>
    public Task<DbSession> GetAsync(CancellationToken ct) => _session ??= database.OpenReadSessionAsync(ct);

    public ValueTask DisposeAsync() => ReleaseAsync();

    /// <summary>Gives the connection back now; a later <see cref="GetAsync"/> opens another.</summary>
    public async ValueTask ReleaseAsync()
    {
        if (_session is { } opening)
        {
            _session = null;
            DbSession session;
            try
            {
                session = await opening;
            }
            catch (Exception)
            {
                return; // the open failed (the handler saw why): nothing to give back
            }
            await session.DisposeAsync();
        }
    }
}
