using Danbao.Data.Sessions;
using Npgsql;

namespace Danbao.Data.Fund;

/// <summary>
/// SQL of the banks' loan-level statements (对账), a member of the request's <see cref="DbSession"/>:
/// the daily quota, the retention of breaks, the lines streamed in by binary COPY, the comparison
/// with the ledger as one merge in the database, and the breaks read back.
/// </summary>
public sealed class StatementStore(DbSession session)
{
    /// <summary>The comparison of a statement at its largest (2,000,000 lines, every one a break) on a loaded server.</summary>
    public const int CompareTimeoutSeconds = 600;

    /// <summary>
    /// Serialises one bank's uploads (transaction-scoped advisory lock), then returns what it has
    /// uploaded since <paramref name="since"/>: statements and lines, for the daily quota. One round trip.
    /// </summary>
    public Task<(int Uploads, long Lines)> LockQuotaAsync(string bankId, DateTimeOffset since)
    {
        var lockCmd = new NpgsqlBatchCommand("select pg_advisory_xact_lock(hashtextextended('bank_statements:' || @b, 0))");
        lockCmd.Parameters.AddWithValue("b", bankId);
        // Its own statement (it returns a row, read as nothing): the count's snapshot must be taken after the lock is granted.
        session.Queue(lockCmd, static (_, _) => Task.CompletedTask);
        var cmd = new NpgsqlBatchCommand(
            "select count(*)::int, coalesce(sum(lines_received), 0)::bigint from bank_statements where bank_id = @b and created_at >= @since");
        cmd.Parameters.AddWithValue("b", bankId);
        cmd.Parameters.AddWithValue("since", since.ToUniversalTime());
        return session.ReadAsync(new Query<(int, long)>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return (r.GetInt32(0), r.GetInt64(1));
        }));
    }

    /// <summary>Queues the deletion of the breaks of the bank's statements created before <paramref name="before"/>; the statements keep their totals.</summary>
    public void DeleteExpiredBreaks(string bankId, DateTimeOffset before, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            with expired as (
                update bank_statements set breaks_deleted_at = @now
                where bank_id = @b and created_at < @before and breaks_deleted_at is null
                returning id)
            delete from bank_statement_breaks where statement_id in (select id from expired)
            """);
        cmd.Parameters.AddWithValue("b", bankId);
        cmd.Parameters.AddWithValue("before", before.ToUniversalTime());
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        session.Queue(cmd);
    }

    /// <summary>
    /// Starts streaming a statement's lines into a transaction-scoped table by binary COPY (with what
    /// was queued before it, in one round trip): the lines never sit in the server's memory. A loan
    /// twice fails the COPY (unique violation) when it completes.
    /// </summary>
    public async Task<StatementLinesWriter> BeginLinesAsync()
    {
        // ON COMMIT DROP and no WAL (a temp table). Its unique index is built once the lines are in
        // (StatementLinesWriter.CompleteAsync): one sort, ~2.5× cheaper than COPY into an indexed table.
        session.Queue(new NpgsqlBatchCommand("create temp table statement_lines (loan_id text not null, fen bigint not null) on commit drop"));
        await session.FlushAsync();
        var stream = await session.Connection.BeginRawBinaryCopyAsync("copy statement_lines (loan_id, fen) from stdin (format binary)", session.CancellationToken);
        return StatementLinesWriter.Start(stream, session.Connection, session.Transaction!, session.CancellationToken);
    }

    /// <summary>
    /// Compares the streamed lines with the ledger's guaranteed principal per loan as of the date, as
    /// one join in the database that writes the breaks of the statement directly: MISSING_HERE (the
    /// bank reports a non-zero balance the ledger does not hold), MISSING_THERE (the ledger holds one
    /// the bank did not report), AMOUNT_DIFFERS. The ledger's side is the per-loan balances its
    /// trigger keeps (ledger_cause_balances) less the postings dated after the as-of date, so nothing
    /// aggregates the journal. One pass over both sides: the matched count and the totals come from
    /// what the server counted while streaming, the breaks written and the account's balance. The
    /// statement's row, the comparison and its first <paramref name="breaksListed"/> breaks go in one round trip.
    /// </summary>
    /// <param name="linesNonZero">Lines with a non-zero amount: each is matched or a break.</param>
    /// <param name="theirsTotalFen">The statement's total, summed while streaming.</param>
    public async Task<(StatementRecord Statement, List<StatementBreakRecord> FirstBreaks)> CompareAsync(string id, string bankId, DateOnly asOf,
        int linesReceived, int linesNonZero, long theirsTotalFen, DateTimeOffset createdAt, int breaksListed)
    {
        await session.FlushAsync();
        var ct = session.CancellationToken;
        await using var batch = new NpgsqlBatch(session.Connection, session.Transaction) { Timeout = CompareTimeoutSeconds };
        // created_at is the service clock's instant: the daily quota and the retention count on it.
        var insert = new NpgsqlBatchCommand(
            """
            insert into bank_statements (id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen, created_at)
            values (@id, @bank, @asof, @lines, 0, 0, 0, @theirs, @at)
            """);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("bank", bankId);
        insert.Parameters.AddWithValue("asof", asOf);
        insert.Parameters.AddWithValue("lines", linesReceived);
        insert.Parameters.AddWithValue("theirs", theirsTotalFen);
        insert.Parameters.AddWithValue("at", createdAt.ToUniversalTime());
        batch.BatchCommands.Add(insert);
        // Every posting on a bank's guaranteed account is caused by a loan (GuaranteePostings), so the
        // account's balance less its later postings is the sum of the per-loan balances compared.
        // In loan order: a merge join of the two sorted sides, so the breaks go into their index in key
        // order (twice as fast as a hash join's random order when every line breaks). No hash table.
        // The ledger's side is read in its primary key's order inside its own subquery (OFFSET 0): under
        // the full join PostgreSQL would not see that order and sorted 550,000 rows (on disk) each time.
        // JIT off: compiling the plan's expressions costs more than it saves on one pass of ~1M rows.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("set local enable_hashjoin = off"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("set local jit = off"));
        var compare = new NpgsqlBatchCommand(
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
                select b.loan_id, b.fen - coalesce(l.fen, 0) as fen
                from (select cause_id as loan_id, balance_fen as fen from ledger_cause_balances
                      where account_id = (select id from acct) and cause_type = 'loan'
                      order by cause_id offset 0) b
                left join later_by_loan l on l.loan_id = b.loan_id),
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
            """);
        compare.Parameters.AddWithValue("code", FundAccounts.BankGuaranteed(bankId));
        compare.Parameters.AddWithValue("asof", asOf);
        compare.Parameters.AddWithValue("id", id);
        compare.Parameters.AddWithValue("nonzero", linesNonZero);
        batch.BatchCommands.Add(compare);
        var first = new NpgsqlBatchCommand("select loan_id, kind, ours_fen, theirs_fen from bank_statement_breaks where statement_id = @s order by loan_id limit @n");
        first.Parameters.AddWithValue("s", id);
        first.Parameters.AddWithValue("n", breaksListed);
        batch.BatchCommands.Add(first);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var statement = new StatementRecord(id, bankId, asOf, linesReceived, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3));
        await reader.NextResultAsync(ct);
        var breaks = new List<StatementBreakRecord>();
        while (await reader.ReadAsync(ct))
        {
            breaks.Add(ReadBreak(reader));
        }
        return (statement, breaks);
    }

    /// <summary>A statement with when retention deleted its breaks (null while they are kept); null when there is none.</summary>
    public Task<(StatementRecord Statement, DateTimeOffset? BreaksDeletedAt)?> FindAsync(string id)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen, breaks_deleted_at
            from bank_statements where id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        return session.ReadAsync(new Query<(StatementRecord, DateTimeOffset?)?>(cmd, async (r, ct) =>
            await r.ReadAsync(ct)
                ? (new StatementRecord(r.GetString(0), r.GetString(1), r.GetFieldValue<DateOnly>(2), r.GetInt32(3), r.GetInt32(4),
                    r.GetInt32(5), r.GetInt64(6), r.GetInt64(7)), r.IsDBNull(8) ? null : new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero))
                : null));
    }

    /// <summary>A statement's breaks in loan order, streamed from the database.</summary>
    public async IAsyncEnumerable<StatementBreakRecord> BreaksAsync(string statementId)
    {
        await session.FlushAsync();
        var ct = session.CancellationToken;
        await using var cmd = new NpgsqlCommand(
            "select loan_id, kind, ours_fen, theirs_fen from bank_statement_breaks where statement_id = @s order by loan_id", session.Connection, session.Transaction);
        cmd.Parameters.AddWithValue("s", statementId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return ReadBreak(reader);
        }
    }

    private static StatementBreakRecord ReadBreak(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3));
}
