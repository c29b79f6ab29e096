using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Fund;

/// <summary>SQL of the guarantee fund: the fund row (serialisation point), claims, consents, recoveries, statements, journal queries.</summary>
public static class FundStore
{
    // ---- the fund row ----

    /// <summary>
    /// Makes sure the fund's row exists and locks it FOR UPDATE until the transaction ends: every
    /// write that can raise outstanding guarantees or lower the balance takes this lock first.
    /// Returns whether the fund has been capitalised (its guarantees are leverage-checked).
    /// </summary>
    public static async Task<bool> LockFundAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string fundId, string regionCode, CancellationToken ct)
    {
        // One statement: the upsert takes the row lock whether it inserts or finds the row.
        await using var cmd = Command(conn, tx,
            """
            insert into guarantee_funds (fund_id, region_code) values (@f, @r)
            on conflict (fund_id) do update set fund_id = excluded.fund_id
            returning capitalised_at is not null
            """, ("f", fundId), ("r", regionCode));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static Task MarkCapitalisedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string fundId, CancellationToken ct) =>
        ExecAsync(conn, tx, "update guarantee_funds set capitalised_at = coalesce(capitalised_at, now()) where fund_id = @f", ct, ("f", fundId));

    // ---- journal queries ----

    /// <summary>An account's balance on its normal side; 0 when the account was never opened.</summary>
    public static async Task<long> BalanceOrZeroAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string code, CancellationToken ct)
    {
        await using var cmd = Command(conn, tx,
            "select coalesce((select b.balance_fen from ledger_accounts a join ledger_balances b on b.account_id = a.id where a.code = @c), 0)", ("c", code));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Debit-minus-credit movement of one account caused by one subject (e.g. a loan), from the journal.</summary>
    public static async Task<long> NetDebitByCauseAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string code, string causeType, string causeId, CancellationToken ct)
    {
        await using var cmd = Command(conn, tx,
            """
            select coalesce(sum(case e.side when 'D' then e.amount_fen else -e.amount_fen end), 0)::bigint
            from ledger_transactions t
            join ledger_entries e on e.transaction_id = t.id
            join ledger_accounts a on a.id = e.account_id
            where t.cause_type = @ct and t.cause_id = @ci and a.code = @c
            """, ("ct", causeType), ("ci", causeId), ("c", code));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Per loan, the guaranteed principal outstanding on a bank's account at the end of <paramref name="asOf"/>, from the journal.</summary>
    public static async Task<Dictionary<string, long>> GuaranteedByLoanAsync(NpgsqlConnection conn, string bankId, DateOnly asOf, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            """
            select t.cause_id, sum(case e.side when 'D' then e.amount_fen else -e.amount_fen end)::bigint
            from ledger_accounts a
            join ledger_entries e on e.account_id = a.id
            join ledger_transactions t on t.id = e.transaction_id
            where a.code = @c and t.cause_type = 'loan' and t.business_date <= @d
            group by t.cause_id
            having sum(case e.side when 'D' then e.amount_fen else -e.amount_fen end) <> 0
            """, ("c", FundAccounts.BankGuaranteed(bankId)), ("d", asOf));
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }
        return result;
    }

    /// <summary>Debits and credits of an account by transaction kind over business dates [from, to] (inclusive).</summary>
    public static async Task<Dictionary<string, (long DebitsFen, long CreditsFen)>> MovementsByKindAsync(
        NpgsqlConnection conn, string code, DateOnly? from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            """
            select t.kind,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
            from ledger_accounts a
            join ledger_entries e on e.account_id = a.id
            join ledger_transactions t on t.id = e.transaction_id
            where a.code = @c and t.business_date >= @f and t.business_date <= @t
            group by t.kind
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
    /// Movements on the fund's and the bank's recoverable accounts by transactions caused by the
    /// bank's claims, by kind, over business dates [from, to]: compensation paid, recoveries, write-offs.
    /// </summary>
    public static async Task<ClaimMovements> ClaimMovementsAsync(NpgsqlConnection conn, string bankId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var cmd = Command(conn, null,
            """
            select t.kind, a.code like 'fund:%' as fund_side,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
            from compensation_claims c
            join ledger_transactions t on t.cause_type = 'claim' and t.cause_id = c.id
            join ledger_entries e on e.transaction_id = t.id
            join ledger_accounts a on a.id = e.account_id
            where c.bank_id = @b and t.business_date between @f and @t and a.code like '%:recoverable'
            group by t.kind, a.code like 'fund:%'
            """, ("b", bankId), ("f", from), ("t", to));
        var rows = new Dictionary<(string Kind, bool FundSide), (long DebitsFen, long CreditsFen)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows[(reader.GetString(0), reader.GetBoolean(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }
        return new ClaimMovements(rows);
    }

    // ---- claims ----

    /// <summary>Claims of a fund in the pipeline (filed, not decided): count and total base.</summary>
    public static async Task<(int Count, long BaseFen)> PipelineAsync(NpgsqlConnection conn, string fundId, CancellationToken ct)
    {
        await using var cmd = Command(conn, null, "select count(*)::int, coalesce(sum(base_fen), 0)::bigint from compensation_claims where fund_id = @f and state = 'FILED'", ("f", fundId));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt64(1));
    }

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

    public static async Task InsertStatementAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StatementRecord s, IReadOnlyList<StatementBreakRecord> breaks, CancellationToken ct)
    {
        await ExecAsync(conn, tx,
            """
            insert into bank_statements (id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen)
            values (@id, @bank, @asof, @lines, @matched, @breaks, @ours, @theirs)
            """, ct, ("id", s.Id), ("bank", s.BankId), ("asof", s.AsOfDate), ("lines", s.LinesReceived), ("matched", s.LoansMatched),
            ("breaks", s.BreaksCount), ("ours", s.OursTotalFen), ("theirs", s.TheirsTotalFen));
        await using var writer = await conn.BeginBinaryImportAsync(
            "copy bank_statement_breaks (statement_id, loan_id, kind, ours_fen, theirs_fen) from stdin (format binary)", ct);
        foreach (var b in breaks)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(s.Id, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(b.LoanId, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(b.Kind, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(b.OursFen, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(b.TheirsFen, NpgsqlDbType.Bigint, ct);
        }
        await writer.CompleteAsync(ct);
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

/// <summary>The loan already has a live (filed or paid) claim: it cannot be claimed or compensated twice.</summary>
public sealed class ClaimExistsException(string loanId, Exception inner)
    : Exception($"loan {loanId} already has a live compensation claim", inner)
{
    public string LoanId { get; } = loanId;
}

/// <summary>Movements on the recoverable accounts by kind and side (fund or bank), from <see cref="FundStore.ClaimMovementsAsync"/>.</summary>
public sealed class ClaimMovements(IReadOnlyDictionary<(string Kind, bool FundSide), (long DebitsFen, long CreditsFen)> rows)
{
    public long FundDebits(string kind) => rows.GetValueOrDefault((kind, true)).DebitsFen;

    public long FundCredits(string kind) => rows.GetValueOrDefault((kind, true)).CreditsFen;

    public long BankCredits(string kind) => rows.GetValueOrDefault((kind, false)).CreditsFen;
}
