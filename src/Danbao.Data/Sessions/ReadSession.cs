namespace Danbao.Data.Sessions;

/// <summary>
/// The request's read session, handed out by dependency injection (registered scoped: one per call).
/// It opens nothing until a handler first asks (<see cref="GetAsync"/>), so a call refused before it
/// reads costs no connection; then one pooled connection, no transaction, for every read of the call,
/// given back to the pool when the request's scope is disposed. Writes do not use it: the
/// WriteRunner opens a session of its own, because a retry must re-run the whole write on a fresh one.
/// </summary>
public sealed class ReadSession(Database database) : IAsyncDisposable
{
    private Task<DbSession>? _session;

    /// <summary>The call's read session, opened on first use with the call's cancellation token.</summary>
    public Task<DbSession> GetAsync(CancellationToken ct) => _session ??= database.OpenReadSessionAsync(ct);

    public async ValueTask DisposeAsync()
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
