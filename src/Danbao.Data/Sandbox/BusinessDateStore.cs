using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Sandbox;

/// <summary>
/// SQL of a sandbox's stored business date (migration 0067): one row that only moves forward, so a
/// restarted sandbox continues from the date it had reached. A member of the <see cref="DbSession"/> (<c>session.BusinessDates</c>).
/// </summary>
public sealed class BusinessDateStore(DbSession session)
{
    /// <summary>
    /// Stores <paramref name="date"/> unless a later one is stored already; returns the date stored
    /// afterwards (the later of the two). Never moves the stored date back.
    /// </summary>
    public Query<DateOnly> Advance(DateOnly date)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            insert into sandbox_business_date (id, business_date) values (true, @d)
            on conflict (id) do update set business_date = greatest(sandbox_business_date.business_date, excluded.business_date),
                                           updated_at = case when excluded.business_date > sandbox_business_date.business_date
                                                             then now() else sandbox_business_date.updated_at end
            returning business_date
            """);
        cmd.Parameters.AddWithValue("d", date);
        return new Query<DateOnly>(cmd, async (r, ct) => await r.ReadAsync(ct) ? r.GetFieldValue<DateOnly>(0) : throw new InvalidOperationException("the upsert returned no date"));
    }

    public Task<DateOnly> AdvanceAsync(DateOnly date) => session.ReadAsync(Advance(date));
}
