using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Fund;

/// <summary>
/// SQL of the guarantee fund: the fund row (serialisation point), claim figures, statements, journal
/// queries. The fund row and the overview's figures are members of the request's <see cref="DbSession"/>
/// (<c>session.Funds</c>); the statement and reconciliation queries still take their connection.
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
    /// a sum over the day totals the ledger's trigger keeps (ledger_daily_movements), not over the entries.
    /// </summary>
    public static async Task<Dictionary<string, (long DebitsFen, long CreditsFen)>> MovementsByKindAsync(
        NpgsqlConnection conn, string code, DateOnly? from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            """
            select m.kind, sum(m.debits_fen)::bigint, sum(m.credits_fen)::bigint
            from ledger_accounts a
            join ledger_daily_movements m on m.account_id = a.id
            where a.code = @c and m.business_date >= @f and m.business_date <= @t
            group by m.kind
            """, ("c", code), ("f", from ?? DateOnly.MinValue), ("t", to));
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }
        return result;
    }

    /// <summary>
    /// Movements by transactions caused by the bank's claims over business dates [from, to], by kind,
    /// side (fund or bank) and account purpose (the code's last part: recoverable, capital, written_off…):
    /// compensation paid, recoveries (also after write-off, which credit capital and written_off), write-offs.
    /// </summary>
    public static async Task<ClaimMovements> ClaimMovementsAsync(NpgsqlConnection conn, string bankId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
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
        var rows = new Dictionary<(string Kind, bool FundSide, string Purpose), (long DebitsFen, long CreditsFen)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows[(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2))] = (reader.GetInt64(3), reader.GetInt64(4));
        }
        return new ClaimMovements(rows);
    }

    // ---- claims ----

    /// <summary>Claims a bank filed with claim dates in [from, to]: count and total base.</summary>
    public static async Task<(int Count, long BaseFen)> FiledAsync(NpgsqlConnection conn, string bankId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            "select count(*)::int, coalesce(sum(base_fen), 0)::bigint from compensation_claims where bank_id = @b and claim_date between @f and @t",
            ("b", bankId), ("f", from), ("t", to));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt64(1));
    }

    /// <summary>Claims of a bank paid (approved) with decision dates in [from, to].</summary>
    public static async Task<int> PaidCountAsync(NpgsqlConnection conn, string bankId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            "select count(*)::int from compensation_claims where bank_id = @b and state in ('APPROVED', 'WRITTEN_OFF') and decided_date between @f and @t",
            ("b", bankId), ("f", from), ("t", to));
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    // ---- statements ----

    /// <summary>The comparison of a statement at its largest (2,000,000 lines, every one a break) on a loaded server.</summary>
    public const int CompareTimeoutSeconds = 600;

    /// <summary>
    /// Serialises one bank's uploads (transaction-scoped advisory lock), then returns what it has
    /// uploaded since <paramref name="since"/>: statements and lines, for the daily quota.
    /// </summary>
    public static async Task<(int Uploads, long Lines)> LockStatementQuotaAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string bankId, DateTimeOffset since, CancellationToken ct)
    {
        await ExecAsync(conn, tx, "select pg_advisory_xact_lock(hashtextextended('bank_statements:' || @b, 0))", ct, ("b", bankId));
        await using var cmd = Command(conn, tx,
            "select count(*)::int, coalesce(sum(lines_received), 0)::bigint from bank_statements where bank_id = @b and created_at >= @since",
            ("b", bankId), ("since", since.ToUniversalTime()));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt64(1));
    }

    /// <summary>Deletes the breaks of the bank's statements created before <paramref name="before"/>; the statements keep their totals.</summary>
    public static async Task<int> DeleteExpiredBreaksAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string bankId, DateTimeOffset before, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = Command(conn, tx,
            """
            with expired as (
                update bank_statements set breaks_deleted_at = @now
                where bank_id = @b and created_at < @before and breaks_deleted_at is null
                returning id)
            delete from bank_statement_breaks where statement_id in (select id from expired)
            """, ("b", bankId), ("before", before.ToUniversalTime()), ("now", now.ToUniversalTime()));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Starts streaming a statement's lines into a transaction-scoped table (binary COPY): the lines
    /// never sit in the server's memory. A loan twice fails the COPY (unique violation).
    /// </summary>
    public static async Task<NpgsqlBinaryImporter> BeginStatementLinesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await ExecAsync(conn, tx, "create temp table statement_lines (loan_id text primary key, fen bigint not null) on commit drop", ct);
        return await conn.BeginBinaryImportAsync("copy statement_lines (loan_id, fen) from stdin (format binary)", ct);
    }

    /// <summary>
    /// Compares the streamed lines with the ledger's guaranteed principal per loan as of the date, as
    /// one join in the database that writes the breaks of the statement directly: MISSING_HERE (the
    /// bank reports a non-zero balance the ledger does not hold), MISSING_THERE (the ledger holds one
    /// the bank did not report), AMOUNT_DIFFERS. The ledger's side is the per-loan balances its
    /// trigger keeps (ledger_cause_balances) less the postings dated after the as-of date, so nothing
    /// aggregates the journal. One pass over both sides: the matched count and the totals come from
    /// what the server counted while streaming, the breaks written and the account's balance.
    /// </summary>
    /// <param name="linesNonZero">Lines with a non-zero amount: each is matched or a break.</param>
    /// <param name="theirsTotalFen">The statement's total, summed while streaming.</param>
    public static async Task<StatementRecord> CompareStatementAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string id, string bankId, DateOnly asOf,
        int linesReceived, int linesNonZero, long theirsTotalFen, DateTimeOffset createdAt, CancellationToken ct)
    {
        // created_at is the service clock's instant: the daily quota and the retention count on it.
        await ExecAsync(conn, tx,
            """
            insert into bank_statements (id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen, created_at)
            values (@id, @bank, @asof, @lines, 0, 0, 0, @theirs, @at)
            """, ct, ("id", id), ("bank", bankId), ("asof", asOf), ("lines", linesReceived), ("theirs", theirsTotalFen), ("at", createdAt.ToUniversalTime()));
        // Every posting on a bank's guaranteed account is caused by a loan (GuaranteePostings), so the
        // account's balance less its later postings is the sum of the per-loan balances compared.
        // In loan order: a merge join of the two sorted sides, so the breaks go into their index in key
        // order (twice as fast as a hash join's random order when every line breaks). No hash table.
        await ExecAsync(conn, tx, "set local enable_hashjoin = off", ct);
        await using var cmd = Command(conn, tx,
            """
            with acct as (
                select a.id, a.normal_side, sum(b.balance_fen)::bigint as balance_fen
                from ledger_accounts a join ledger_balances b on b.account_id = a.id
                where a.code = @code
                group by a.id, a.normal_side),
            later as (
                select t.cause_type, t.cause_id, case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end as fen
                from ledger_transactions t
                join ledger_entries e on e.transaction_id = t.id
                join acct a on a.id = e.account_id
                where t.business_date > @asof),
            later_by_loan as (
                select cause_id as loan_id, sum(fen)::bigint as fen from later where cause_type = 'loan' group by cause_id),
            ours as (
                select b.cause_id as loan_id, b.balance_fen - coalesce(l.fen, 0) as fen
                from ledger_cause_balances b
                left join later_by_loan l on l.loan_id = b.cause_id
                where b.account_id = (select id from acct) and b.cause_type = 'loan'),
            breaks as (
                insert into bank_statement_breaks (statement_id, loan_id, kind, ours_fen, theirs_fen)
                select @id, coalesce(o.loan_id, s.loan_id),
                       case when o.fen is null then 'MISSING_HERE' when s.fen is null then 'MISSING_THERE' else 'AMOUNT_DIFFERS' end,
                       coalesce(o.fen, 0), coalesce(s.fen, 0)
                from (select loan_id, fen from ours where fen <> 0) o
                full join statement_lines s on s.loan_id = o.loan_id
                where (o.fen is null and s.fen <> 0) or s.fen is null or o.fen <> s.fen
                returning theirs_fen),
            counted as (
                select count(*)::int as breaks, count(*) filter (where theirs_fen <> 0)::int as with_theirs from breaks)
            update bank_statements set loans_matched = @nonzero - counted.with_theirs, breaks_count = counted.breaks,
                ours_total_fen = coalesce((select balance_fen from acct), 0) - coalesce((select sum(fen) from later), 0)
            from counted where id = @id
            returning loans_matched, breaks_count, ours_total_fen, theirs_total_fen
            """, ("code", FundAccounts.BankGuaranteed(bankId)), ("asof", asOf), ("id", id), ("nonzero", linesNonZero));
        cmd.CommandTimeout = CompareTimeoutSeconds;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new StatementRecord(id, bankId, asOf, linesReceived, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>The first breaks of a statement in loan order.</summary>
    public static async Task<List<StatementBreakRecord>> FirstBreaksAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string statementId, int limit, CancellationToken ct)
    {
        await using var cmd = Command(conn, tx,
            "select loan_id, kind, ours_fen, theirs_fen from bank_statement_breaks where statement_id = @s order by loan_id limit @n", ("s", statementId), ("n", limit));
        var list = new List<StatementBreakRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new StatementBreakRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return list;
    }

    /// <summary>When the statement's breaks were deleted by retention, or null while they are kept.</summary>
    public static async Task<DateTimeOffset?> BreaksDeletedAtAsync(NpgsqlConnection conn, string statementId, CancellationToken ct)
    {
        await using var cmd = Command(conn, null, "select breaks_deleted_at from bank_statements where id = @s", ("s", statementId));
        return await cmd.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    public static async Task<StatementRecord?> FindStatementAsync(NpgsqlConnection conn, string id, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            "select id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen from bank_statements where id = @id", ("id", id));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StatementRecord(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7))
            : null;
    }

    /// <summary>A statement's breaks in loan order, streamed from the database.</summary>
    public static async IAsyncEnumerable<StatementBreakRecord> BreaksAsync(NpgsqlConnection conn, string statementId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            "select loan_id, kind, ours_fen, theirs_fen from bank_statement_breaks where statement_id = @s order by loan_id", ("s", statementId));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new StatementBreakRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3));
        }
    }

    // ---- helpers ----

    private static NpgsqlCommand Command(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return cmd;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Movements of claim postings by kind, side (fund or bank) and account purpose, from <see cref="FundStore.ClaimMovementsAsync"/>.</summary>
public sealed class ClaimMovements(IReadOnlyDictionary<(string Kind, bool FundSide, string Purpose), (long DebitsFen, long CreditsFen)> rows)
{
    private const string Recoverable = "recoverable";

    public long FundDebits(string kind) => rows.GetValueOrDefault((kind, true, Recoverable)).DebitsFen;

    public long FundCredits(string kind) => rows.GetValueOrDefault((kind, true, Recoverable)).CreditsFen;

    public long BankCredits(string kind) => rows.GetValueOrDefault((kind, false, Recoverable)).CreditsFen;

    /// <summary>Credits of <paramref name="kind"/> on the fund's (or the bank's) account of that purpose.</summary>
    public long Credits(string kind, bool fundSide, string purpose) => rows.GetValueOrDefault((kind, fundSide, purpose)).CreditsFen;
}
