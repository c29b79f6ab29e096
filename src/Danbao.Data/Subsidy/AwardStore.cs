using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Subsidy;

/// <summary>A region's year of new guarantee lending: the total and each institution's part.</summary>
public sealed record NewLending(long TotalFen, IReadOnlyDictionary<string, long> ByInstitutionFen);

/// <summary>An approved award allocation (award_allocations + its lines).</summary>
public sealed record AwardAllocationRecord(string RegionCode, int Year, long NewLendingFen, long CapFen, long TotalFen,
    string ApprovedBy, DateOnly ApprovedDate, long? LedgerTransactionId, IReadOnlyList<AwardLineRecord> Lines)
{
    /// <summary>What the region could award (cap less awards on the same lending); null for allocations before 0064.</summary>
    public long? PoolFen { get; init; }
}

/// <summary>An allocation already decided for a year: its region, lending, cap by share and total.</summary>
public sealed record DecidedAward(string RegionCode, long NewLendingFen, long CapFen, long TotalFen);

public sealed record AwardLineRecord(string InstitutionId, long NewLendingFen, int ScoreBp, long AmountFen);

/// <summary>What an award decision reads: the year's lending, the year's decided awards, the recipient rule and the named institutions' kinds.</summary>
public sealed record AwardInputs(NewLending Lending, IReadOnlyList<DecidedAward> Decided, IReadOnlyList<string> RecipientKinds, string RecipientKindsSource,
    IReadOnlyDictionary<string, string> InstitutionKinds);

/// <summary>
/// SQL of incentive awards (奖补), a member of the request's <see cref="DbSession"/> (<c>session.Awards</c>):
/// a decision's inputs are one batch of queries, the allocation's insert is queued.
/// </summary>
public sealed class AwardStore(DbSession session)
{
    /// <summary>
    /// Everything a decision for <paramref name="region"/>'s <paramref name="year"/> reads, in one round trip
    /// (with whatever is queued before it: the claim, <see cref="LockYear"/>).
    /// </summary>
    public async Task<AwardInputs> LoadInputsAsync(string region, int year, IReadOnlyCollection<string> institutionIds)
    {
        var lending = NewLending(region, year);
        session.Prefetch(lending);
        var (decided, (kinds, source), institutionKinds) = await session.ReadAsync(Decided(year), RecipientKinds(region), InstitutionKinds(region, institutionIds));
        return new AwardInputs(lending.Value, decided, kinds, source, institutionKinds);
    }

    /// <summary>
    /// Guarantee loans disbursed in <paramref name="year"/> in the region (and the regions below it): the total,
    /// each handling bank's part (as lender) and each fund operator's part (as guarantor). One query.
    /// </summary>
    public Query<NewLending> NewLending(string regionWithin, int year)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            with y as (
                select bank_id, guarantee_fund_id, amount_fen from loans
                where disbursement_date >= make_date(@year, 1, 1) and disbursement_date < make_date(@year + 1, 1, 1)
                  and (region_code = @region or region_code like @region || '-%'))
            select '' as institution, coalesce(sum(amount_fen), 0)::bigint from y
            union all select bank_id, sum(amount_fen)::bigint from y group by bank_id
            union all select guarantee_fund_id, sum(amount_fen)::bigint from y where guarantee_fund_id is not null group by guarantee_fund_id
            """);
        cmd.Parameters.AddWithValue("year", year);
        cmd.Parameters.AddWithValue("region", regionWithin);
        return new Query<NewLending>(cmd, async (r, ct) =>
        {
            long total = 0;
            var parts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetString(0);
                if (id.Length == 0)
                {
                    total = r.GetInt64(1);
                }
                else
                {
                    parts[id] = parts.GetValueOrDefault(id) + r.GetInt64(1);
                }
            }
            return new NewLending(total, parts);
        });
    }

    /// <summary>The region's allocation for the year with its lines (two queries, one round trip), or null.</summary>
    public async Task<AwardAllocationRecord?> FindAsync(string region, int year)
    {
        var head = new NpgsqlBatchCommand(
            """
            select new_lending_fen, cap_fen, total_fen, approved_by, approved_date, ledger_transaction_id, pool_fen
            from award_allocations where region_code = @region and year = @year
            """);
        head.Parameters.AddWithValue("region", region);
        head.Parameters.AddWithValue("year", year);
        var lines = new NpgsqlBatchCommand(
            """
            select institution_id, new_lending_fen, score_bp, amount_fen from award_allocation_lines
            where region_code = @region and year = @year order by institution_id
            """);
        lines.Parameters.AddWithValue("region", region);
        lines.Parameters.AddWithValue("year", year);
        var (found, list) = await session.ReadAsync(
            new Query<AwardAllocationRecord?>(head, async (r, ct) => await r.ReadAsync(ct)
                ? new AwardAllocationRecord(region, year, r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                    r.IsDBNull(5) ? null : r.GetInt64(5), []) { PoolFen = r.IsDBNull(6) ? null : r.GetInt64(6) }
                : null),
            new Query<List<AwardLineRecord>>(lines, async (r, ct) =>
            {
                var rows = new List<AwardLineRecord>();
                while (await r.ReadAsync(ct))
                {
                    rows.Add(new AwardLineRecord(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3)));
                }
                return rows;
            }));
        return found is null ? null : found with { Lines = list };
    }

    /// <summary>
    /// Queues the allocation and its lines (one statement: the lines only with a new allocation);
    /// <paramref name="exists"/> is thrown when the batch runs if the region's year already has one (primary key).
    /// </summary>
    public void Insert(AwardAllocationRecord a, IReadOnlyList<string> policyVersionIds, Func<Exception> exists)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            with a as (
                insert into award_allocations (region_code, year, new_lending_fen, cap_fen, total_fen, approved_by, approved_date, ledger_transaction_id, policy_version_ids, pool_fen)
                values (@region, @year, @lending, @cap, @total, @by, @date, @ledger, @versions, @pool)
                on conflict (region_code, year) do nothing
                returning region_code, year),
            l as (
                insert into award_allocation_lines (region_code, year, institution_id, new_lending_fen, score_bp, amount_fen)
                select a.region_code, a.year, t.i, t.n, t.s, t.f from a, unnest(@ids, @line_lending, @scores, @amounts) as t(i, n, s, f))
            select year from a
            """);
        cmd.Parameters.AddWithValue("region", a.RegionCode);
        cmd.Parameters.AddWithValue("year", a.Year);
        cmd.Parameters.AddWithValue("lending", a.NewLendingFen);
        cmd.Parameters.AddWithValue("cap", a.CapFen);
        cmd.Parameters.AddWithValue("total", a.TotalFen);
        cmd.Parameters.AddWithValue("by", a.ApprovedBy);
        cmd.Parameters.AddWithValue("date", a.ApprovedDate);
        cmd.Parameters.AddWithValue("ledger", NpgsqlTypes.NpgsqlDbType.Bigint, a.LedgerTransactionId is { } l ? l : DBNull.Value);
        cmd.Parameters.AddWithValue("versions", policyVersionIds.ToArray());
        cmd.Parameters.AddWithValue("pool", NpgsqlTypes.NpgsqlDbType.Bigint, a.PoolFen is { } p ? p : DBNull.Value);
        cmd.Parameters.AddWithValue("ids", a.Lines.Select(l => l.InstitutionId).ToArray());
        cmd.Parameters.AddWithValue("line_lending", a.Lines.Select(l => l.NewLendingFen).ToArray());
        cmd.Parameters.AddWithValue("scores", a.Lines.Select(l => l.ScoreBp).ToArray());
        cmd.Parameters.AddWithValue("amounts", a.Lines.Select(l => l.AmountFen).ToArray());
        var inserted = false;
        session.Queue(cmd, async (r, ct) => inserted = await r.ReadAsync(ct), _ => inserted ? Task.CompletedTask : throw exists());
    }

    /// <summary>
    /// Queues a transaction-scoped lock that serialises award decisions of one year (nested regions share the
    /// lending): it goes before the decision's load, in the same round trip.
    /// </summary>
    public void LockYear(int year)
    {
        var cmd = new NpgsqlBatchCommand("select pg_advisory_xact_lock(hashtext('award_year'), @year)");
        cmd.Parameters.AddWithValue("year", year);
        session.Queue(cmd, async (r, ct) => await r.ReadAsync(ct));
    }

    /// <summary>Every allocation decided for <paramref name="year"/>, all regions.</summary>
    public Query<List<DecidedAward>> Decided(int year)
    {
        var cmd = new NpgsqlBatchCommand("select region_code, new_lending_fen, cap_fen, total_fen from award_allocations where year = @year order by region_code");
        cmd.Parameters.AddWithValue("year", year);
        return new Query<List<DecidedAward>>(cmd, async (r, ct) =>
        {
            var list = new List<DecidedAward>();
            while (await r.ReadAsync(ct))
            {
                list.Add(new DecidedAward(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
            }
            return list;
        });
    }

    /// <summary>The recipient kinds the most specific region (of <paramref name="region"/> and those above it) names, with the source; empty when none does.</summary>
    public Query<(IReadOnlyList<string> Kinds, string Source)> RecipientKinds(string region)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select kind, source from award_recipient_kinds
            where region_code = (select region_code from award_recipient_kinds
                                 where @region = region_code or @region like region_code || '-%'
                                 order by length(region_code) desc limit 1)
            order by kind
            """);
        cmd.Parameters.AddWithValue("region", region);
        return new Query<(IReadOnlyList<string> Kinds, string Source)>(cmd, async (r, ct) =>
        {
            var kinds = new List<string>();
            var source = "";
            while (await r.ReadAsync(ct))
            {
                kinds.Add(r.GetString(0));
                source = r.GetString(1);
            }
            return (kinds, source);
        });
    }

    /// <summary>The institutions among <paramref name="ids"/> of the region (or within it), with their award kind: the override, else their role's.</summary>
    public Query<Dictionary<string, string>> InstitutionKinds(string region, IReadOnlyCollection<string> ids)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select i.id, coalesce(k.kind, case i.role when 'BANK' then 'HANDLING_BANK' when 'FUND_OPERATOR' then 'FUND_OPERATOR'
                                                      when 'EMPLOYMENT_SERVICE' then 'EMPLOYMENT_SERVICE' end)
            from institutions i left join institution_award_kinds k on k.institution_id = i.id
            where i.id = any(@ids) and (i.region_code = @region or i.region_code like @region || '-%')
            """);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        cmd.Parameters.AddWithValue("region", region);
        return new Query<Dictionary<string, string>>(cmd, async (r, ct) =>
        {
            var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                if (!r.IsDBNull(1))
                {
                    kinds[r.GetString(0)] = r.GetString(1);
                }
            }
            return kinds;
        });
    }
}
