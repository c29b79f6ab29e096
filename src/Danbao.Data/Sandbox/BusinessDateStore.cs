using Npgsql;

namespace Danbao.Data.Sandbox;

/// <summary>
/// SQL of a sandbox's stored business date (migration 0067): one row that only moves forward, so a
/// restarted sandbox continues from the date it had reached.
/// </summary>
public static class BusinessDateStore
{
    /// <summary>
    /// Stores <paramref name="date"/> unless a later one is stored already; returns the date stored
    /// afterwards (the later of the two). Never moves the stored date back.
    /// </summary>
    public static async Task<DateOnly> AdvanceAsync(NpgsqlConnection conn, DateOnly date, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into sandbox_business_date (id, business_date) values (true, @d)
            on conflict (id) do update set business_date = greatest(sandbox_business_date.business_date, excluded.business_date),
                                           updated_at = case when excluded.business_date > sandbox_business_date.business_date
                                                             then now() else sandbox_business_date.updated_at end
            returning business_date
            """, conn);
        cmd.Parameters.AddWithValue("d", date);
        return (DateOnly)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
