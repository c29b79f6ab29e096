using Danbao.Domain;
using Danbao.Domain.Calendar;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Rates;
using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Policy;

/// <summary>
/// Reference data the rules read: policy versions, the 1-year LPR and the working-day calendar. A member
/// of the request's <see cref="DbSession"/> (<c>session.Policy</c>): inserts are queued, and one that finds
/// its row there already throws what the caller gave it when the batch runs (history is never rewritten).
/// </summary>
public sealed class PolicyStore(DbSession session)
{
    /// <summary>Versions (withdrawn and superseded too), LPR, calendar years and days: four queries, one round trip.</summary>
    public async Task<PolicyReferenceData> LoadAsync()
    {
        // Withdrawn and superseded versions load too (listed, never resolved: PolicyResolver skips them).
        var versions = new Query<List<PolicyVersion>>(new NpgsqlBatchCommand(
            """
            select v.id, v.parameter_key, v.region_code, v.effective_from, v.effective_to, v.value, v.source, w.kind, w.reason, w.replaced_by
            from policy_versions v left join policy_version_withdrawals w on w.version_id = v.id
            order by v.id
            """), async (r, ct) =>
            {
                var list = new List<PolicyVersion>();
                while (await r.ReadAsync(ct))
                {
                    var withdrawal = r.IsDBNull(7) ? null : PolicyWithdrawal.FromRow(r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));
                    list.Add(PolicyVersion.FromRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3),
                        r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4), r.GetString(5), r.GetString(6), withdrawal));
                }
                return list;
            });
        var lpr = new Query<List<LprEntry>>(new NpgsqlBatchCommand("select effective_from, one_year_bp, source from lpr_rates order by effective_from"),
            async (r, ct) =>
            {
                var list = new List<LprEntry>();
                while (await r.ReadAsync(ct))
                {
                    list.Add(new LprEntry(r.GetFieldValue<DateOnly>(0), new Rate(r.GetDecimal(1)), r.GetString(2)));
                }
                return list;
            });
        var years = new Query<List<int>>(new NpgsqlBatchCommand("select year from calendar_years"), async (r, ct) =>
        {
            var list = new List<int>();
            while (await r.ReadAsync(ct))
            {
                list.Add(r.GetInt32(0));
            }
            return list;
        });
        var days = new Query<List<CalendarDay>>(new NpgsqlBatchCommand("select date, kind, table_year from calendar_days"), async (r, ct) =>
        {
            var list = new List<CalendarDay>();
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(1) == "OFF" ? CalendarDayKind.Off : CalendarDayKind.MakeupWork;
                list.Add(new CalendarDay(r.GetFieldValue<DateOnly>(0), kind, r.GetInt32(2)));
            }
            return list;
        });
        session.Prefetch(versions);
        var (lprs, yearList, dayList) = await session.ReadAsync(lpr, years, days);
        return new PolicyReferenceData(new PolicyResolver(versions.Value), new LprTable(lprs), new WorkingCalendar(yearList, dayList), versions.Value);
    }

    /// <summary>
    /// Queues a version (with its end date, if any); <paramref name="exists"/> is thrown when the batch runs if its id
    /// exists. Check it first with PolicyGovernance.CheckNewVersion, which also gives the revision id when a withdrawn version held the date.
    /// </summary>
    public void InsertVersion(PolicyVersion version, string createdBy, Func<Exception> exists)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by)
            values (@id, @key, @region, @from, @to, @kind, @value, @source, @by)
            on conflict do nothing
            """);
        cmd.Parameters.AddWithValue("id", version.Id);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly?>("to", version.EffectiveTo));
        cmd.Parameters.AddWithValue("key", version.Key);
        cmd.Parameters.AddWithValue("region", version.Region.Value);
        cmd.Parameters.AddWithValue("from", version.EffectiveFrom);
        cmd.Parameters.AddWithValue("kind", KindCode(version.Value.Kind));
        cmd.Parameters.AddWithValue("value", version.Value.Text);
        cmd.Parameters.AddWithValue("source", version.Source);
        cmd.Parameters.AddWithValue("by", createdBy);
        session.Queue(cmd, OneRowOr(exists));
    }

    /// <summary>
    /// Queues the withdrawal (or supersession) of <paramref name="version"/>, whose <see cref="PolicyVersion.Withdrawal"/> is set
    /// (PolicyGovernance.CheckWithdrawal returns it so), at <paramref name="withdrawnAt"/> (the server's clock; null: the database's now());
    /// <paramref name="withdrawnAlready"/> is thrown when the batch runs if the version is withdrawn already.
    /// The table's trigger refuses a WITHDRAWN row on or after the version's effective date (CST) by this instant.
    /// </summary>
    public void InsertWithdrawal(PolicyVersion version, string withdrawnBy, DateTimeOffset? withdrawnAt, Func<Exception> withdrawnAlready)
    {
        ArgumentNullException.ThrowIfNull(version);
        var withdrawal = version.Withdrawal ?? throw new ArgumentException($"{version.Id} carries no withdrawal", nameof(version));
        var cmd = new NpgsqlBatchCommand(
            """
            insert into policy_version_withdrawals (version_id, kind, reason, replaced_by, withdrawn_by, withdrawn_at)
            values (@id, @kind, @reason, @replaced_by, @by, coalesce(@at, now()))
            on conflict do nothing
            """);
        cmd.Parameters.AddWithValue("id", version.Id);
        cmd.Parameters.AddWithValue("kind", PolicyWithdrawal.ToCode(withdrawal.Kind));
        cmd.Parameters.AddWithValue("reason", withdrawal.Reason);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("replaced_by", withdrawal.ReplacedById));
        cmd.Parameters.AddWithValue("by", withdrawnBy);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("at", withdrawnAt?.ToUniversalTime()));
        session.Queue(cmd, OneRowOr(withdrawnAlready));
    }

    /// <summary>Queues an LPR entry; <paramref name="exists"/> is thrown when the batch runs if one holds that date.</summary>
    public void InsertLpr(LprEntry entry, string createdBy, Func<Exception> exists)
    {
        var cmd = new NpgsqlBatchCommand(
            "insert into lpr_rates (effective_from, one_year_bp, source, created_by) values (@from, @bp, @source, @by) on conflict do nothing");
        cmd.Parameters.AddWithValue("from", entry.EffectiveFrom);
        cmd.Parameters.AddWithValue("bp", entry.OneYear.Bp);
        cmd.Parameters.AddWithValue("source", entry.Source);
        cmd.Parameters.AddWithValue("by", createdBy);
        session.Queue(cmd, OneRowOr(exists));
    }

    /// <summary>
    /// Queues a year's table, its days only if the year is new (one statement); <paramref name="loadedAlready"/> is thrown
    /// when the batch runs if that year is loaded already (tables are not rewritten).
    /// </summary>
    public void LoadCalendarYear(int year, string source, IEnumerable<DateOnly> daysOff, IEnumerable<DateOnly> makeupWorkingDays,
        Func<Exception> loadedAlready)
    {
        var days = daysOff.Select(d => (d, "OFF")).Concat(makeupWorkingDays.Select(d => (d, "MAKEUP_WORK"))).ToList();
        var cmd = new NpgsqlBatchCommand(
            """
            with y as (insert into calendar_years (year, source) values (@year, @source) on conflict do nothing returning year),
            d as (insert into calendar_days (date, kind, table_year) select t.date, t.kind, y.year from y, unnest(@dates, @kinds) as t(date, kind))
            select year from y
            """);
        cmd.Parameters.AddWithValue("year", year);
        cmd.Parameters.AddWithValue("source", source);
        cmd.Parameters.AddWithValue("dates", days.Select(d => d.Item1).ToArray());
        cmd.Parameters.AddWithValue("kinds", days.Select(d => d.Item2).ToArray());
        var loaded = false;
        session.Queue(cmd, async (r, ct) => loaded = await r.ReadAsync(ct),
            _ => loaded ? Task.CompletedTask : throw loadedAlready());
    }

    public Query<(List<DateOnly> Off, List<DateOnly> MakeUp)?> GetCalendarYear(int year)
    {
        var cmd = new NpgsqlBatchCommand(
            "select y.year, d.date, d.kind from calendar_years y left join calendar_days d on d.table_year = y.year where y.year = @year order by d.date");
        cmd.Parameters.AddWithValue("year", year);
        return new Query<(List<DateOnly> Off, List<DateOnly> MakeUp)?>(cmd, async (r, ct) =>
        {
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
        });
    }

    private static Func<int, Task> OneRowOr(Func<Exception> refusal) => rows => rows == 1 ? Task.CompletedTask : throw refusal();

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
public sealed record PolicyReferenceData(PolicyResolver Resolver, LprTable Lpr, WorkingCalendar Calendar, IReadOnlyList<PolicyVersion> Versions)
{
    /// <summary>Whether <paramref name="other"/> holds the same versions (withdrawals included), LPR and calendar.</summary>
    public bool SameContentAs(PolicyReferenceData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Versions.SequenceEqual(other.Versions) && Lpr.Entries.SequenceEqual(other.Lpr.Entries) && Calendar.SameTablesAs(other.Calendar);
    }
}
