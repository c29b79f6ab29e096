using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Fund;

/// <summary>
/// SQL of the guarantee fund: the fund row (serialisation point), claim figures, journal queries (statements: StatementStore). The fund row and the overview's figures are members of the request's <see cref="DbSession"/>
/// (<c>session.Funds</c>).
/// </summary>
public sealed class FundStore(DbSession session)
{
    // ---- the fund row ----

    private static string LockFundSql(string rows) => $"""
        insert into guarantee_funds (fund_id, region_code) {rows}
        on conflict (fund_id) do update set fund_id = excluded.fund_id
        returning capitalised_at is not null
        """;

    /// <summary>
    /// Makes sure the fund's row exists and locks it FOR UPDATE until the transaction ends: every
    /// write that can raise outstanding guarantees or lower the balance takes this lock first.
    /// Reads whether the fund has been capitalised (its guarantees are leverage-checked). For a batch:
    /// a balance read after it in the same batch sees the state under the lock.
    /// </summary>
    public Query<bool> LockFund(string fundId, string regionCode)
    {
        // One statement: the upsert takes the row lock whether it inserts or finds the row.
        var cmd = new NpgsqlBatchCommand(LockFundSql("values (@f, @r)"));
        cmd.Parameters.AddWithValue("f", fundId);
        cmd.Parameters.AddWithValue("r", regionCode);
        return new Query<bool>(cmd, ReadBool);
    }

    /// <summary><see cref="LockFund"/> for the fund of a claim (by the claim's row), so a claim write locks it in its load batch.</summary>
    public Query<bool> LockFundOfClaim(string claimId)
    {
        var cmd = new NpgsqlBatchCommand(LockFundSql("select fund_id, region_code from compensation_claims where id = @c"));
        cmd.Parameters.AddWithValue("c", claimId);
        return new Query<bool>(cmd, async (r, ct) => await r.ReadAsync(ct) && r.GetBoolean(0));
    }

    /// <summary>Queues marking the fund capitalised (its first contribution).</summary>
    public void MarkCapitalised(string fundId)
    {
        var cmd = new NpgsqlBatchCommand("update guarantee_funds set capitalised_at = coalesce(capitalised_at, now()) where fund_id = @f");
        cmd.Parameters.AddWithValue("f", fundId);
        session.Queue(cmd);
    }

    /// <summary>An account's balance on its normal side; 0 when the account was never opened. For a batch.</summary>
    public Query<long> BalanceOrZero(string code) => Balance("@c", ("c", code));

    /// <summary>The cash balance of a claim's fund (<see cref="FundAccounts.Cash"/>), for the claim write's load batch.</summary>
    public Query<long> CashOfClaimFund(string claimId) =>
        Balance("(select 'fund:' || fund_id || ':cash' from compensation_claims where id = @c)", ("c", claimId));

    public Task<long> BalanceOrZeroAsync(string code) => session.ReadAsync(BalanceOrZero(code));

    private static Query<long> Balance(string codeSql, (string Name, object Value) parameter)
    {
        var cmd = new NpgsqlBatchCommand(
            $"select coalesce((select sum(b.balance_fen) from ledger_accounts a join ledger_balances b on b.account_id = a.id where a.code = {codeSql}), 0)::bigint");
        cmd.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return new Query<long>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return r.GetInt64(0);
        });
    }

    private static async Task<bool> ReadBool(NpgsqlDataReader r, CancellationToken ct)
    {
        await r.ReadAsync(ct);
        return r.GetBoolean(0);
    }

    /// <summary>Claims of a fund in the pipeline (filed, not decided): count and total base. For a batch.</summary>
    public Query<(int Count, long BaseFen)> Pipeline(string fundId)
    {
        var cmd = new NpgsqlBatchCommand("select count(*)::int, coalesce(sum(base_fen), 0)::bigint from compensation_claims where fund_id = @f and state = 'FILED'");
        cmd.Parameters.AddWithValue("f", fundId);
        return new Query<(int, long)>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return (r.GetInt32(0), r.GetInt64(1));
        });
    }

    // ---- journal queries ----

    /// <summary>
    /// Debits and credits of an account by transaction kind over business dates [from, to] (inclusive):
    /// a sum over the day totals the ledger's trigger keeps (ledger_daily_movements), not over the entries. For a batch.
    /// </summary>
    public Query<Dictionary<string, (long DebitsFen, long CreditsFen)>> MovementsByKind(string code, DateOnly? from, DateOnly to)
    {
        var cmd = Command(
            """
            select m.kind, sum(m.debits_fen)::bigint, sum(m.credits_fen)::bigint
            from ledger_accounts a
            join ledger_daily_movements m on m.account_id = a.id
            where a.code = @c and m.business_date >= @f and m.business_date <= @t
            group by m.kind
            """, ("c", code), ("f", from ?? DateOnly.MinValue), ("t", to));
        return new Query<Dictionary<string, (long, long)>>(cmd, async (reader, ct) =>
        {
            var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }
            return result;
        });
    }

    /// <summary>
    /// Movements by transactions caused by the bank's claims over business dates [from, to], by kind,
    /// side (fund or bank) and account purpose (the code's last part: recoverable, capital, written_off…):
    /// compensation paid, recoveries (also after write-off, which credit capital and written_off), write-offs. For a batch.
    /// </summary>
    public Query<ClaimMovements> ClaimMovements(string bankId, DateOnly from, DateOnly to)
    {
        var cmd = Command(
            """
            select t.kind, a.code like 'fund:%' as fund_side, split_part(a.code, ':', 3) as purpose,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
            from compensation_claims c
            join ledger_transactions t on t.cause_type = 'claim' and t.cause_id = c.id
            join ledger_entries e on e.transaction_id = t.id
            join ledger_accounts a on a.id = e.account_id
            where c.bank_id = @b and t.business_date between @f and @t
            group by 1, 2, 3
            """, ("b", bankId), ("f", from), ("t", to));
        return new Query<ClaimMovements>(cmd, async (reader, ct) =>
        {
            var rows = new Dictionary<(string Kind, bool FundSide, string Purpose), (long DebitsFen, long CreditsFen)>();
            while (await reader.ReadAsync(ct))
            {
                rows[(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2))] = (reader.GetInt64(3), reader.GetInt64(4));
            }
            return new ClaimMovements(rows);
        });
    }

    // ---- claims ----

    /// <summary>Claims a bank filed with claim dates in [from, to]: count and total base. For a batch.</summary>
    public Query<(int Count, long BaseFen)> Filed(string bankId, DateOnly from, DateOnly to)
    {
        var cmd = Command(
            "select count(*)::int, coalesce(sum(base_fen), 0)::bigint from compensation_claims where bank_id = @b and claim_date between @f and @t",
            ("b", bankId), ("f", from), ("t", to));
        return new Query<(int, long)>(cmd, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return (reader.GetInt32(0), reader.GetInt64(1));
        });
    }

    /// <summary>Claims of a bank paid (approved) with decision dates in [from, to]. For a batch.</summary>
    public Query<int> PaidCount(string bankId, DateOnly from, DateOnly to)
    {
        var cmd = Command(
            "select count(*)::int from compensation_claims where bank_id = @b and state in ('APPROVED', 'WRITTEN_OFF') and decided_date between @f and @t",
            ("b", bankId), ("f", from), ("t", to));
        return new Query<int>(cmd, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return reader.GetInt32(0);
        });
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return cmd;
    }
}

/// <summary>Movements of claim postings by kind, side (fund or bank) and account purpose, from <see cref="FundStore.ClaimMovements"/>.</summary>
public sealed class ClaimMovements(IReadOnlyDictionary<(string Kind, bool FundSide, string Purpose), (long DebitsFen, long CreditsFen)> rows)
{
    private const string Recoverable = "recoverable";

    public long FundDebits(string kind) => rows.GetValueOrDefault((kind, true, Recoverable)).DebitsFen;

    public long FundCredits(string kind) => rows.GetValueOrDefault((kind, true, Recoverable)).CreditsFen;

    public long BankCredits(string kind) => rows.GetValueOrDefault((kind, false, Recoverable)).CreditsFen;

    /// <summary>Credits of <paramref name="kind"/> on the fund's (or the bank's) account of that purpose.</summary>
    public long Credits(string kind, bool fundSide, string purpose) => rows.GetValueOrDefault((kind, fundSide, purpose)).CreditsFen;
}
