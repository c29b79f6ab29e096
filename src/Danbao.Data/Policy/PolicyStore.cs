using Danbao.Domain;
using Danbao.Domain.Calendar;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Rates;
using Npgsql;

namespace Danbao.Data.Policy;

/// <summary>Reference data the rules read: policy versions, the 1-year LPR and the working-day calendar.</summary>
public static class PolicyStore
{
    public static async Task<PolicyReferenceData> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var versions = new List<PolicyVersion>();
        // Withdrawn and superseded versions load too (listed, never resolved: PolicyResolver skips them).
        await using (var cmd = new NpgsqlCommand(
            """
            select v.id, v.parameter_key, v.region_code, v.effective_from, v.effective_to, v.value, v.source, w.kind, w.reason, w.replaced_by
            from policy_versions v left join policy_version_withdrawals w on w.version_id = v.id
            order by v.id
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var withdrawal = r.IsDBNull(7) ? null : PolicyWithdrawal.FromRow(r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));
                versions.Add(PolicyVersion.FromRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3),
                    r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4), r.GetString(5), r.GetString(6), withdrawal));
            }
        }
        var lpr = new List<LprEntry>();
        await using (var cmd = new NpgsqlCommand("select effective_from, one_year_bp, source from lpr_rates order by effective_from", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                lpr.Add(new LprEntry(r.GetFieldValue<DateOnly>(0), new Rate(r.GetDecimal(1)), r.GetString(2)));
            }
        }
        var years = new List<int>();
        await using (var cmd = new NpgsqlCommand("select year from calendar_years", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                years.Add(r.GetInt32(0));
            }
        }
        var days = new List<CalendarDay>();
        await using (var cmd = new NpgsqlCommand("select date, kind, table_year from calendar_days", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(1) == "OFF" ? CalendarDayKind.Off : CalendarDayKind.MakeupWork;
                days.Add(new CalendarDay(r.GetFieldValue<DateOnly>(0), kind, r.GetInt32(2)));
            }
        }
        return new PolicyReferenceData(new PolicyResolver(versions), new LprTable(lpr), new WorkingCalendar(years, days), versions);
    }

    /// <summary>
    /// Adds a version (with its end date, if any); false when its id exists. Check it first with
    /// PolicyGovernance.CheckNewVersion, which also gives the revision id when a withdrawn version held the date.
    /// </summary>
    public static async Task<bool> TryInsertVersionAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PolicyVersion version, string createdBy, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by)
            values (@id, @key, @region, @from, @to, @kind, @value, @source, @by)
            on conflict do nothing
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", version.Id);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", version.EffectiveTo));
        cmd.Parameters.AddWithValue("key", version.Key);
        cmd.Parameters.AddWithValue("region", version.Region.Value);
        cmd.Parameters.AddWithValue("from", version.EffectiveFrom);
        cmd.Parameters.AddWithValue("kind", KindCode(version.Value.Kind));
        cmd.Parameters.AddWithValue("value", version.Value.Text);
        cmd.Parameters.AddWithValue("source", version.Source);
        cmd.Parameters.AddWithValue("by", createdBy);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Records a withdrawal (or supersession) of <paramref name="version"/>, whose
    /// <see cref="PolicyVersion.Withdrawal"/> is set (PolicyGovernance.CheckWithdrawal returns it so);
    /// false when the version is withdrawn already.
    /// </summary>
    public static Task<bool> TryInsertWithdrawalAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PolicyVersion version, string withdrawnBy, CancellationToken ct) =>
        TryInsertWithdrawalAsync(conn, tx, version, withdrawnBy, null, ct);

    /// <summary>
    /// As above, at <paramref name="withdrawnAt"/> (the server's clock; null: the database's now()).
    /// The table's trigger refuses a WITHDRAWN row on or after the version's effective date (CST) by this instant.
    /// </summary>
    public static async Task<bool> TryInsertWithdrawalAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PolicyVersion version, string withdrawnBy,
        DateTimeOffset? withdrawnAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(version);
        var withdrawal = version.Withdrawal ?? throw new ArgumentException($"{version.Id} carries no withdrawal", nameof(version));
        await using var cmd = new NpgsqlCommand(
            """
            insert into policy_version_withdrawals (version_id, kind, reason, replaced_by, withdrawn_by, withdrawn_at)
            values (@id, @kind, @reason, @replaced_by, @by, coalesce(@at, now()))
            on conflict do nothing
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", version.Id);
        cmd.Parameters.AddWithValue("kind", PolicyWithdrawal.ToCode(withdrawal.Kind));
        cmd.Parameters.AddWithValue("reason", withdrawal.Reason);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("replaced_by", withdrawal.ReplacedById));
        cmd.Parameters.AddWithValue("by", withdrawnBy);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("at", withdrawnAt?.ToUniversalTime()));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public static async Task<bool> TryInsertLprAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LprEntry entry, string createdBy, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "insert into lpr_rates (effective_from, one_year_bp, source, created_by) values (@from, @bp, @source, @by) on conflict do nothing", conn, tx);
        cmd.Parameters.AddWithValue("from", entry.EffectiveFrom);
        cmd.Parameters.AddWithValue("bp", entry.OneYear.Bp);
        cmd.Parameters.AddWithValue("source", entry.Source);
        cmd.Parameters.AddWithValue("by", createdBy);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Loads a year's table; false when that year is loaded already (tables are not rewritten).</summary>
    public static async Task<bool> TryLoadCalendarYearAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int year, string source,
        IEnumerable<DateOnly> daysOff, IEnumerable<DateOnly> makeupWorkingDays, CancellationToken ct)
    {
        await using (var cmd = new NpgsqlCommand("insert into calendar_years (year, source) values (@year, @source) on conflict do nothing", conn, tx))
        {
            cmd.Parameters.AddWithValue("year", year);
            cmd.Parameters.AddWithValue("source", source);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }
        foreach (var (date, kind) in daysOff.Select(d => (d, "OFF")).Concat(makeupWorkingDays.Select(d => (d, "MAKEUP_WORK"))))
        {
            await using var cmd = new NpgsqlCommand("insert into calendar_days (date, kind, table_year) values (@date, @kind, @year)", conn, tx);
            cmd.Parameters.AddWithValue("date", date);
            cmd.Parameters.AddWithValue("kind", kind);
            cmd.Parameters.AddWithValue("year", year);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return true;
    }

    public static async Task<(List<DateOnly> Off, List<DateOnly> MakeUp)?> GetCalendarYearAsync(NpgsqlConnection conn, int year, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "select y.year, d.date, d.kind from calendar_years y left join calendar_days d on d.table_year = y.year where y.year = @year order by d.date", conn);
        cmd.Parameters.AddWithValue("year", year);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var found = false;
        List<DateOnly> off = [], makeUp = [];
        while (await r.ReadAsync(ct))
        {
            found = true;
            if (r.IsDBNull(1))
            {
                continue;
            }
            (r.GetString(2) == "OFF" ? off : makeUp).Add(r.GetFieldValue<DateOnly>(1));
        }
        return found ? (off, makeUp) : null;
    }

    private static string KindCode(PolicyValueKind kind) => kind switch
    {
        PolicyValueKind.Money => "MONEY",
        PolicyValueKind.BasisPoints => "BASIS_POINTS",
        PolicyValueKind.Int => "INT",
        PolicyValueKind.Bool => "BOOL",
        _ => "ENUM",
    };
}

/// <summary>Everything the rules read from reference tables, loaded together so one decision sees one version of it.</summary>
public sealed record PolicyReferenceData(PolicyResolver Resolver, LprTable Lpr, WorkingCalendar Calendar, IReadOnlyList<PolicyVersion> Versions);
