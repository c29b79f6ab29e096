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

/// <summary>SQL of incentive awards (奖补).</summary>
public static class AwardStore
{
    /// <summary>
    /// Guarantee loans disbursed in <paramref name="year"/> in the region (and the regions below it): the total,
    /// each handling bank's part (as lender) and each fund operator's part (as guarantor). One query.
    /// </summary>
    public static async Task<NewLending> NewLendingAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string regionWithin, int year, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            with y as (
                select bank_id, guarantee_fund_id, amount_fen from loans
                where disbursement_date >= make_date(@year, 1, 1) and disbursement_date < make_date(@year + 1, 1, 1)
                  and (region_code = @region or region_code like @region || '-%'))
            select '' as institution, coalesce(sum(amount_fen), 0)::bigint from y
            union all select bank_id, sum(amount_fen)::bigint from y group by bank_id
            union all select guarantee_fund_id, sum(amount_fen)::bigint from y where guarantee_fund_id is not null group by guarantee_fund_id
            """, conn, tx);
        cmd.Parameters.AddWithValue("year", year);
        cmd.Parameters.AddWithValue("region", regionWithin);
        await using var r = await cmd.ExecuteReaderAsync(ct);
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
    }

    public static async Task<AwardAllocationRecord?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string region, int year, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select new_lending_fen, cap_fen, total_fen, approved_by, approved_date, ledger_transaction_id, pool_fen
            from award_allocations where region_code = @region and year = @year
            """, conn, tx);
        cmd.Parameters.AddWithValue("region", region);
        cmd.Parameters.AddWithValue("year", year);
        long newLending, cap, total;
        string by;
        DateOnly approved;
        long? ledger, pool;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }
            (newLending, cap, total, by, approved) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetFieldValue<DateOnly>(4));
            ledger = r.IsDBNull(5) ? null : r.GetInt64(5);
            pool = r.IsDBNull(6) ? null : r.GetInt64(6);
        }
        await using var lines = new NpgsqlCommand(
            """
            select institution_id, new_lending_fen, score_bp, amount_fen from award_allocation_lines
            where region_code = @region and year = @year order by institution_id
            """, conn, tx);
        lines.Parameters.AddWithValue("region", region);
        lines.Parameters.AddWithValue("year", year);
        var list = new List<AwardLineRecord>();
        await using (var r = await lines.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                list.Add(new AwardLineRecord(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3)));
            }
        }
        return new AwardAllocationRecord(region, year, newLending, cap, total, by, approved, ledger, list) { PoolFen = pool };
    }

    /// <summary>Inserts the allocation; false when the region's year already has one (primary key).</summary>
    public static async Task<bool> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AwardAllocationRecord a, IReadOnlyList<string> policyVersionIds, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into award_allocations (region_code, year, new_lending_fen, cap_fen, total_fen, approved_by, approved_date, ledger_transaction_id, policy_version_ids, pool_fen)
            values (@region, @year, @lending, @cap, @total, @by, @date, @ledger, @versions, @pool)
            on conflict (region_code, year) do nothing
            """, conn, tx);
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
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }
        await using var lines = new NpgsqlCommand(
            """
            insert into award_allocation_lines (region_code, year, institution_id, new_lending_fen, score_bp, amount_fen)
            select @region, @year, i, n, s, f from unnest(@ids, @lending, @scores, @amounts) as t(i, n, s, f)
            """, conn, tx);
        lines.Parameters.AddWithValue("region", a.RegionCode);
        lines.Parameters.AddWithValue("year", a.Year);
        lines.Parameters.AddWithValue("ids", a.Lines.Select(l => l.InstitutionId).ToArray());
        lines.Parameters.AddWithValue("lending", a.Lines.Select(l => l.NewLendingFen).ToArray());
        lines.Parameters.AddWithValue("scores", a.Lines.Select(l => l.ScoreBp).ToArray());
        lines.Parameters.AddWithValue("amounts", a.Lines.Select(l => l.AmountFen).ToArray());
        await lines.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>Serialises award decisions of one year (nested regions share the lending): a transaction-scoped lock.</summary>
    public static async Task LockYearAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int year, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('award_year'), @year)", conn, tx);
        cmd.Parameters.AddWithValue("year", year);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every allocation decided for <paramref name="year"/>, all regions.</summary>
    public static async Task<IReadOnlyList<DecidedAward>> DecidedAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, int year, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "select region_code, new_lending_fen, cap_fen, total_fen from award_allocations where year = @year order by region_code", conn, tx);
        cmd.Parameters.AddWithValue("year", year);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DecidedAward>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new DecidedAward(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
        }
        return list;
    }

    /// <summary>The recipient kinds the most specific region (of <paramref name="region"/> and those above it) names, with the source; empty when none does.</summary>
    public static async Task<(IReadOnlyList<string> Kinds, string Source)> RecipientKindsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string region, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select kind, source from award_recipient_kinds
            where region_code = (select region_code from award_recipient_kinds
                                 where @region = region_code or @region like region_code || '-%'
                                 order by length(region_code) desc limit 1)
            order by kind
            """, conn, tx);
        cmd.Parameters.AddWithValue("region", region);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var kinds = new List<string>();
        var source = "";
        while (await r.ReadAsync(ct))
        {
            kinds.Add(r.GetString(0));
            source = r.GetString(1);
        }
        return (kinds, source);
    }

    /// <summary>The institutions among <paramref name="ids"/> of the region (or within it), with their award kind: the override, else their role's.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> InstitutionKindsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string region,
        IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select i.id, coalesce(k.kind, case i.role when 'BANK' then 'HANDLING_BANK' when 'FUND_OPERATOR' then 'FUND_OPERATOR'
                                                      when 'EMPLOYMENT_SERVICE' then 'EMPLOYMENT_SERVICE' end)
            from institutions i left join institution_award_kinds k on k.institution_id = i.id
            where i.id = any(@ids) and (i.region_code = @region or i.region_code like @region || '-%')
            """, conn, tx);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        cmd.Parameters.AddWithValue("region", region);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
        {
            if (!r.IsDBNull(1))
            {
                kinds[r.GetString(0)] = r.GetString(1);
            }
        }
        return kinds;
    }
}
