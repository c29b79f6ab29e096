using System.Text.Json;
using Danbao.Data.Audit;
using Danbao.Server.Identity;
using Npgsql;

namespace Danbao.Server.Calls;

/// <summary>
/// What a write's effects run in: one database transaction, the caller, the instant of the call
/// (from the injected clock), its request id, and the audit log of that transaction.
/// </summary>
public sealed class WriteScope(NpgsqlConnection connection, NpgsqlTransaction transaction, Caller caller, DateTimeOffset now,
    string requestId, AuditLog audit, CancellationToken cancellationToken)
{
    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;
    public Caller Caller { get; } = caller;
    public DateTimeOffset Now { get; } = now;
    public string RequestId { get; } = requestId;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Appends an audit event in this transaction: who, which institution, when, what, before/after.</summary>
    public Task AuditAsync(string subjectType, string subjectId, string action, string? before, string? after,
        object? detail = null, DateOnly? businessDate = null) =>
        audit.AppendAsync(Connection, Transaction, new AuditEvent
        {
            SubjectType = subjectType,
            SubjectId = subjectId,
            Action = action,
            ActorInstitution = Caller.InstitutionId,
            ActorRole = Caller.StoredRole(Caller.Role),
            ActorKeyId = Caller.KeyId,
            OccurredAt = Now,
            BusinessDate = businessDate,
            RequestId = RequestId,
            BeforeJson = before is null ? null : JsonSerializer.Serialize(new { state = before }),
            AfterJson = after is null ? null : JsonSerializer.Serialize(new { state = after }),
            DetailJson = detail is null ? null : JsonSerializer.Serialize(detail),
        }, CancellationToken);
}
