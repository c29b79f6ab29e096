using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Subsidy;

/// <summary>Loans of one group (borrower type or key group): approved and disbursed in the period, count and amount.</summary>
public sealed record ProgrammeLoanRow(string Dimension, string Key, long ApprovedLoans, long ApprovedFen, long DisbursedLoans, long DisbursedFen);

/// <summary>The money figures of a region's period: subsidy paid and clawed back, compensation, recoveries.</summary>
public sealed record ProgrammeMoney(long SubsidyPaidFen, long SubsidyLoans, long SubsidyClawedBackFen, long CompensationClaims,
    long CompensationPaidFen, long Recoveries, long RecoveredNetFen, long RecoveredFundFen);

/// <summary>
/// SQL of the programme report (policy.md §8, as the employment service publishes it): set-based sums over a
/// region (and the regions within it) and a period [from, to). Sums of stored amounts only: nothing is decided here.
/// Both are queries for one batch of the request's <see cref="DbSession"/> (<c>session.ProgrammeReports</c>).
/// </summary>
public sealed class ProgrammeReportStore(DbSession session)
{
    /// <summary>The loan rows and the money of the region's period: two queries, one round trip.</summary>
    public Task<(List<ProgrammeLoanRow> Loans, ProgrammeMoney Money)> ReportAsync(string regionWithin, DateOnly from, DateOnly to) =>
        session.ReadAsync(Loans(regionWithin, from, to), Money(regionWithin, from, to));

    /// <summary>
    /// Loans approved (the bank's approval, audit action loan.approved, on its business date in CST) and loans
    /// disbursed in the period, grouped by borrower type and by the principal person's key group; the "ALL"
    /// dimension has the totals.
    /// </summary>
    public Query<List<ProgrammeLoanRow>> Loans(string regionWithin, DateOnly from, DateOnly to)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            with scope as (
                select l.id, l.amount_fen, l.borrower_type, coalesce(l.borrower -> 'person' ->> 'keyGroup', 'NONE') as key_group,
                       l.disbursement_date >= @from and l.disbursement_date < @to as disbursed,
                       exists (select 1 from audit_events a where a.subject_type = 'loan' and a.subject_id = l.id and a.action = 'loan.approved'
                               and coalesce(a.business_date, (a.occurred_at at time zone 'Asia/Shanghai')::date) >= @from
                               and coalesce(a.business_date, (a.occurred_at at time zone 'Asia/Shanghai')::date) < @to) as approved
                from loans l
                where (l.region_code = @region or l.region_code like @region || '-%'))
            select dimension, key, count(*) filter (where approved), coalesce(sum(amount_fen) filter (where approved), 0)::bigint,
                   count(*) filter (where disbursed), coalesce(sum(amount_fen) filter (where disbursed), 0)::bigint
            from scope, lateral (values ('ALL', ''), ('BORROWER_TYPE', borrower_type), ('KEY_GROUP', key_group)) as d(dimension, key)
            where approved or disbursed
            group by dimension, key
            order by dimension, key
            """);
        cmd.Parameters.AddWithValue("region", regionWithin);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        return new Query<List<ProgrammeLoanRow>>(cmd, async (r, ct) =>
        {
            var rows = new List<ProgrammeLoanRow>();
            while (await r.ReadAsync(ct))
            {
                rows.Add(new ProgrammeLoanRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)));
            }
            return rows;
        });
    }

    public Query<ProgrammeMoney> Money(string regionWithin, DateOnly from, DateOnly to)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select
              (select coalesce(sum(p.paid_subsidy_fen), 0)::bigint from subsidy_paid_lines p
                where p.settled_date >= @from and p.settled_date < @to and (p.claim_region_code = @region or p.claim_region_code like @region || '-%')),
              (select count(distinct p.loan_id) from subsidy_paid_lines p
                where p.settled_date >= @from and p.settled_date < @to and (p.claim_region_code = @region or p.claim_region_code like @region || '-%')),
              (select coalesce(sum(b.amount_fen), 0)::bigint from subsidy_clawbacks b join subsidy_claims c on c.id = b.claim_id
                where b.clawed_back_date >= @from and b.clawed_back_date < @to and (c.region_code = @region or c.region_code like @region || '-%')),
              (select count(*) from compensation_claims k
                where k.state in ('APPROVED', 'WRITTEN_OFF') and k.decided_date >= @from and k.decided_date < @to and (k.region_code = @region or k.region_code like @region || '-%')),
              (select coalesce(sum(k.fund_fen), 0)::bigint from compensation_claims k
                where k.state in ('APPROVED', 'WRITTEN_OFF') and k.decided_date >= @from and k.decided_date < @to and (k.region_code = @region or k.region_code like @region || '-%')),
              (select count(*) from claim_recoveries v join compensation_claims k on k.id = v.claim_id
                where v.recovered_date >= @from and v.recovered_date < @to and (k.region_code = @region or k.region_code like @region || '-%')),
              (select coalesce(sum(v.net_fen), 0)::bigint from claim_recoveries v join compensation_claims k on k.id = v.claim_id
                where v.recovered_date >= @from and v.recovered_date < @to and (k.region_code = @region or k.region_code like @region || '-%')),
              (select coalesce(sum(v.fund_fen), 0)::bigint from claim_recoveries v join compensation_claims k on k.id = v.claim_id
                where v.recovered_date >= @from and v.recovered_date < @to and (k.region_code = @region or k.region_code like @region || '-%'))
            """);
        cmd.Parameters.AddWithValue("region", regionWithin);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        return new Query<ProgrammeMoney>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return new ProgrammeMoney(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7));
        });
    }
}
