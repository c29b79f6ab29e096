using Danbao.Domain;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Loans;

/// <summary>A stored report of a loan event (early settlement, legal representative change, closure).</summary>
public sealed record LoanEventReportRecord
{
    public long Id { get; init; }
    public required string LoanId { get; init; }
    public required string BankId { get; init; }
    public required string RegionCode { get; init; }
    public required LoanEventKind Kind { get; init; }
    public required DateOnly EventDate { get; init; }
    public required DateOnly ReportedDate { get; init; }
    public required DateOnly DeadlineDate { get; init; }
    public required bool Late { get; init; }
    public required int DaysLate { get; init; }
    public required string Note { get; init; }
    public required IReadOnlyList<string> PolicyVersionIds { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Who sees which reports, and which: null means "any".</summary>
public sealed record LoanEventReportFilter
{
    public string? BankId { get; init; }
    public string? RegionWithin { get; init; }
    public string? LoanId { get; init; }
    public bool LateOnly { get; init; }
}

/// <summary>SQL for loan_event_reports (append-only); a member of the request's <see cref="DbSession"/>.</summary>
public sealed class LoanEventReportStore(DbSession session)
{
    private const string Columns = "id, loan_id, bank_id, region_code, kind, event_date, reported_date, deadline_date, late, days_late, note, policy_version_ids, created_at";

    public Task<LoanEventReportRecord> InsertAsync(LoanEventReportRecord report, string requestId, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand(
            $"""
            insert into loan_event_reports (loan_id, bank_id, region_code, kind, event_date, reported_date, deadline_date, late, days_late,
                note, policy_version_ids, request_id, created_at)
            values (@loan, @bank, @region, @kind, @event, @reported, @deadline, @late, @days_late, @note, @versions, @request, @now)
            returning {Columns}
            """);
        var p = cmd.Parameters;
        p.AddWithValue("loan", report.LoanId);
        p.AddWithValue("bank", report.BankId);
        p.AddWithValue("region", report.RegionCode);
        p.AddWithValue("kind", report.Kind.ToCode());
        p.AddWithValue("event", report.EventDate);
        p.AddWithValue("reported", report.ReportedDate);
        p.AddWithValue("deadline", report.DeadlineDate);
        p.AddWithValue("late", report.Late);
        p.AddWithValue("days_late", report.DaysLate);
        p.AddWithValue("note", report.Note);
        p.AddWithValue("versions", report.PolicyVersionIds.ToArray());
        p.AddWithValue("request", requestId);
        p.AddWithValue("now", now.ToUniversalTime());
        return session.ReadAsync(new Query<LoanEventReportRecord>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return Read(r);
        }));
    }

    /// <summary>A page of reports, newest first, after the report id <paramref name="beforeId"/>.</summary>
    public Task<List<LoanEventReportRecord>> ListAsync(LoanEventReportFilter filter, long? beforeId, int limit)
    {
        var cmd = new NpgsqlBatchCommand(
            $"""
            select {Columns} from loan_event_reports
            where (@bank::text is null or bank_id = @bank)
              and (@region::text is null or region_code = @region or region_code like @region || '-%')
              and (@loan::text is null or loan_id = @loan)
              and (not @late_only or late)
              and (@before::bigint is null or id < @before)
            order by id desc
            limit @limit
            """);
        var p = cmd.Parameters;
        p.AddWithValue("bank", NpgsqlDbType.Text, (object?)filter.BankId ?? DBNull.Value);
        p.AddWithValue("region", NpgsqlDbType.Text, (object?)filter.RegionWithin ?? DBNull.Value);
        p.AddWithValue("loan", NpgsqlDbType.Text, (object?)filter.LoanId ?? DBNull.Value);
        p.AddWithValue("late_only", filter.LateOnly);
        p.AddWithValue("before", NpgsqlDbType.Bigint, beforeId is { } b ? b : DBNull.Value);
        p.AddWithValue("limit", limit);
        return session.ReadAsync(new Query<List<LoanEventReportRecord>>(cmd, async (r, ct) =>
        {
            var list = new List<LoanEventReportRecord>();
            while (await r.ReadAsync(ct))
            {
                list.Add(Read(r));
            }
            return list;
        }));
    }

    private static LoanEventReportRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        LoanId = r.GetString(1),
        BankId = r.GetString(2),
        RegionCode = r.GetString(3),
        Kind = LoanEventKindCodes.FromCode(r.GetString(4)),
        EventDate = r.GetFieldValue<DateOnly>(5),
        ReportedDate = r.GetFieldValue<DateOnly>(6),
        DeadlineDate = r.GetFieldValue<DateOnly>(7),
        Late = r.GetBoolean(8),
        DaysLate = r.GetInt32(9),
        Note = r.GetString(10),
        PolicyVersionIds = r.GetFieldValue<string[]>(11),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(12),
    };
}
