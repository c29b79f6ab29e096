using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Audit;

/// <summary>The append-only audit log (<c>audit_events</c>); the database refuses UPDATE, DELETE and TRUNCATE.</summary>
public sealed class AuditLog
{
    public const int PageSizeMax = 1000;

    /// <summary>Appends an event in the caller's transaction; returns its id.</summary>
    public async Task<long> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditEvent auditEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        await using var command = new NpgsqlCommand(
            """
            insert into audit_events (subject_type, subject_id, action, actor_institution, actor_role, actor_key_id,
                                      occurred_at, business_date, request_id, before, after, detail)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            returning id
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.SubjectType });
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.SubjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.Action });
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.ActorInstitution });
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.ActorRole });
        command.Parameters.Add(Nullable(auditEvent.ActorKeyId, NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.OccurredAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = auditEvent.BusinessDate is { } date ? date : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        command.Parameters.Add(Nullable(auditEvent.RequestId, NpgsqlDbType.Text));
        command.Parameters.Add(Nullable(auditEvent.BeforeJson, NpgsqlDbType.Jsonb));
        command.Parameters.Add(Nullable(auditEvent.AfterJson, NpgsqlDbType.Jsonb));
        command.Parameters.Add(Nullable(auditEvent.DetailJson, NpgsqlDbType.Jsonb));
        return (long)(await command.ExecuteScalarAsync(ct))!;
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
