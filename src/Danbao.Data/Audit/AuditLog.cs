using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Audit;

/// <summary>The append-only audit log (<c>audit_events</c>); the database refuses UPDATE, DELETE and TRUNCATE.</summary>
public sealed class AuditLog
{
    public const int PageSizeMax = 1000;

    private readonly DbSession? _session;

    /// <summary>The log on explicit connections (each method takes the connection and transaction).</summary>
    public AuditLog()
    {
    }

    /// <summary>The log as a member of a write's session: <see cref="Append"/> is queued with the write's other effects.</summary>
    public AuditLog(DbSession session) => _session = session;

    /// <summary>Queues an event in the session's transaction.</summary>
    public void Append(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var session = _session ?? throw new InvalidOperationException("This AuditLog is not bound to a session.");
        var command = new NpgsqlBatchCommand(InsertSql);
        AddParameters(command.Parameters, auditEvent);
        session.Queue(command);
    }

    private const string InsertSql = """
        insert into audit_events (subject_type, subject_id, action, actor_institution, actor_role, actor_key_id,
                                  occurred_at, business_date, request_id, before, after, detail)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """;

    private static void AddParameters(NpgsqlParameterCollection parameters, AuditEvent auditEvent)
    {
        parameters.Add(new NpgsqlParameter { Value = auditEvent.SubjectType });
        parameters.Add(new NpgsqlParameter { Value = auditEvent.SubjectId });
        parameters.Add(new NpgsqlParameter { Value = auditEvent.Action });
        parameters.Add(new NpgsqlParameter { Value = auditEvent.ActorInstitution });
        parameters.Add(new NpgsqlParameter { Value = auditEvent.ActorRole });
        parameters.Add(Nullable(auditEvent.ActorKeyId, NpgsqlDbType.Text));
        parameters.Add(new NpgsqlParameter { Value = auditEvent.OccurredAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        parameters.Add(new NpgsqlParameter { Value = auditEvent.BusinessDate is { } date ? date : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        parameters.Add(Nullable(auditEvent.RequestId, NpgsqlDbType.Text));
        parameters.Add(Nullable(auditEvent.BeforeJson, NpgsqlDbType.Jsonb));
        parameters.Add(Nullable(auditEvent.AfterJson, NpgsqlDbType.Jsonb));
        parameters.Add(Nullable(auditEvent.DetailJson, NpgsqlDbType.Jsonb));
    }

    /// <summary>Appends an event in the caller's transaction; returns its id.</summary>
    public async Task<long> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditEvent auditEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        await using var command = new NpgsqlCommand(InsertSql + " returning id", connection, transaction);
        AddParameters(command.Parameters, auditEvent);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Events about one subject, in the session (see the overload on a connection).</summary>
    public Task<AuditPage> BySubjectAsync(string subjectType, string subjectId, long? afterId, int pageSize)
    {
        var session = _session ?? throw new InvalidOperationException("This AuditLog is not bound to a session.");
        return BySubjectAsync(session.Connection, session.Transaction, subjectType, subjectId, afterId, pageSize, session.CancellationToken);
    }

    /// <summary>Events about one subject, oldest first, after <paramref name="afterId"/> (keyset pagination).</summary>
    public async Task<AuditPage> BySubjectAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string subjectType,
        string subjectId,
        long? afterId,
        int pageSize,
        CancellationToken ct = default)
    {
        if (pageSize is < 1 or > PageSizeMax)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), $"pageSize must be 1..{PageSizeMax}.");
        }
        await using var command = new NpgsqlCommand(
            """
            select id, subject_type, subject_id, action, actor_institution, actor_role, actor_key_id,
                   occurred_at, business_date, request_id, before::text, after::text, detail::text
            from audit_events
            where subject_type = $1 and subject_id = $2 and id > $3
            order by id
            limit $4
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = subjectType });
        command.Parameters.Add(new NpgsqlParameter { Value = subjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId ?? 0L });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize + 1 });
        var events = new List<AuditEvent>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                events.Add(new AuditEvent
                {
                    Id = reader.GetInt64(0),
                    SubjectType = reader.GetString(1),
                    SubjectId = reader.GetString(2),
                    Action = reader.GetString(3),
                    ActorInstitution = reader.GetString(4),
                    ActorRole = reader.GetString(5),
                    ActorKeyId = reader.IsDBNull(6) ? null : reader.GetString(6),
                    OccurredAt = reader.GetFieldValue<DateTimeOffset>(7),
                    BusinessDate = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateOnly>(8),
                    RequestId = reader.IsDBNull(9) ? null : reader.GetString(9),
                    BeforeJson = reader.IsDBNull(10) ? null : reader.GetString(10),
                    AfterJson = reader.IsDBNull(11) ? null : reader.GetString(11),
                    DetailJson = reader.IsDBNull(12) ? null : reader.GetString(12),
                });
            }
        }
        var more = events.Count > pageSize;
        if (more)
        {
            events.RemoveAt(events.Count - 1);
        }
        return new AuditPage(events, more ? events[^1].Id : null);
    }

    private static NpgsqlParameter Nullable(string? value, NpgsqlDbType type)
        => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = type };
}
