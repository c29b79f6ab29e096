using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Fund;

/// <summary>A fund's cash and outstanding guarantees at the close of one business date.</summary>
public sealed record FundPositionRow(DateOnly Date, long BalanceFen, long OutstandingFen);

/// <summary>
/// SQL of the fund's positions over time (ListFundPositions): sums of journal entries by business date;
/// a member of the request's <see cref="DbSession"/> (<c>session.FundPositions</c>).
/// </summary>
public sealed class FundPositionStore(DbSession session)
{
    /// <summary>The fund operators of a region and the regions within it, by id: (id, region).</summary>
    public Task<IReadOnlyList<(string Id, string Region)>> FundsWithinAsync(string region)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select id, region_code from institutions
            where role = 'FUND_OPERATOR' and (region_code = @r or region_code like @r || '-%')
            order by id
            """);
        cmd.Parameters.AddWithValue("r", region);
        return session.ReadAsync(new Query<IReadOnlyList<(string Id, string Region)>>(cmd, async (r, ct) =>
        {
            var funds = new List<(string, string)>();
            while (await r.ReadAsync(ct))
            {
                funds.Add((r.GetString(0), r.GetString(1)));
            }
            return funds;
        }));
    }

    /// <summary>
    /// The cash account's balance (debit side) and the guarantees account's (credit side) at the close of
    /// each of <paramref name="dates"/>: the daily movements summed up to the date, in one statement; for a batch
    /// (a page's funds are read in one round trip).
    /// </summary>
    public Query<IReadOnlyList<FundPositionRow>> Positions(string cashCode, string guaranteesCode, IReadOnlyList<DateOnly> dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        var cmd = new NpgsqlBatchCommand(
            """
            with moves as (
                select t.business_date as day,
                       sum(case when a.code = @cash then case e.side when 'D' then e.amount_fen else -e.amount_fen end else 0 end) as cash,
                       sum(case when a.code = @guarantees then case e.side when 'C' then e.amount_fen else -e.amount_fen end else 0 end) as guarantees
                from ledger_accounts a
                join ledger_entries e on e.account_id = a.id
                join ledger_transactions t on t.id = e.transaction_id
                where a.code in (@cash, @guarantees) and t.business_date <= @last
                group by t.business_date),
            running as (
                select day, sum(cash) over (order by day) as cash, sum(guarantees) over (order by day) as guarantees from moves)
            select d.day, coalesce(r.cash, 0)::bigint, coalesce(r.guarantees, 0)::bigint
            from unnest(@dates) as d(day)
            left join lateral (select cash, guarantees from running where running.day <= d.day order by running.day desc limit 1) r on true
            order by d.day
            """);
        cmd.Parameters.AddWithValue("cash", cashCode);
        cmd.Parameters.AddWithValue("guarantees", guaranteesCode);
        cmd.Parameters.AddWithValue("last", dates.Count == 0 ? DateOnly.MinValue : dates.Max());
        cmd.Parameters.AddWithValue("dates", dates.ToArray());
        return new Query<IReadOnlyList<FundPositionRow>>(cmd, async (r, ct) =>
        {
            var rows = new List<FundPositionRow>(dates.Count);
            while (await r.ReadAsync(ct))
            {
                rows.Add(new FundPositionRow(r.GetFieldValue<DateOnly>(0), r.GetInt64(1), r.GetInt64(2)));
            }
            return rows;
        });
    }
}
