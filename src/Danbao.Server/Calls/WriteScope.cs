using System.Text.Json;
using Danbao.Data.Audit;
using Danbao.Data.Idempotency;
using Danbao.Data.Sessions;
using Danbao.Server.Identity;

namespace Danbao.Server.Calls;

/// <summary>
/// What a write's effects run in: the request's session (one database transaction, the stores),
/// the caller, the instant of the call (from the injected clock) and its request id.
/// </summary>
public sealed class WriteScope(DbSession session, Caller caller, DateTimeOffset now, string requestId,
    Query<IdempotencyClaim?>? requestCheck = null)
{
    public DbSession Session { get; } = session;
    public Caller Caller { get; } = caller;
    public DateTimeOffset Now { get; } = now;
    public string RequestId { get; } = requestId;
    public CancellationToken CancellationToken => Session.CancellationToken;

    /// <summary>
    /// For a write run with <c>checkAfterLock</c>: the request id's check, to be read in the first load
    /// batch after the locking query (a replay or reuse throws there, before anything is decided).
    /// </summary>
    public Query<IdempotencyClaim?> RequestCheck =>
        requestCheck ?? throw new InvalidOperationException("This write claims its request id itself; it has no check to read.");

    /// <summary>Queues an audit event in this transaction: who, which institution, when, what, before/after.</summary>
    public Task AuditAsync(string subjectType, string subjectId, string action, string? before, string? after,
        object? detail = null, DateOnly? businessDate = null)
    {
        Session.Audit.Append(Event(Caller, Now, RequestId, subjectType, subjectId, action, before, after, detail, businessDate));
        return Task.CompletedTask;
    }

    /// <summary>An audit event of a write by <paramref name="caller"/> (for writes that run outside a scope, like a stream's).</summary>
    public static AuditEvent Event(Caller caller, DateTimeOffset now, string requestId, string subjectType, string subjectId, string action,
        string? before, string? after, object? detail = null, DateOnly? businessDate = null) => new()
    {
        SubjectType = subjectType,
        SubjectId = subjectId,
        Action = action,
        ActorInstitution = caller.InstitutionId,
        ActorRole = Caller.StoredRole(caller.Role),
        ActorKeyId = caller.KeyId,
        OccurredAt = now,
        BusinessDate = businessDate,
        RequestId = requestId,
        BeforeJson = before is null ? null : JsonSerializer.Serialize(new { state = before }),
        AfterJson = after is null ? null : JsonSerializer.Serialize(new { state = after }),
        DetailJson = detail is null ? null : JsonSerializer.Serialize(detail),
    };
}
