using Dapper;
using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Accounting;

/// <summary>
/// The guarantee fund's double-entry ledger. Every method that writes takes the caller's
/// connection and transaction: a posting commits together with the business change and the
/// idempotency record that caused it, or not at all.
/// </summary>
/// <remarks>
/// Accounts must be opened before they are posted to (<see cref="OpenAccountAsync"/>): an
/// account's type decides its normal side, which a posting cannot guess, and a typo in a code
/// must fail rather than open a stray account. The database enforces the invariants itself
/// (migrations 0005–0007): balanced transactions of at least two entries checked at commit,
/// append-only transactions and entries, balances maintained in the same transaction, and
/// reversals that mirror what they reverse, at most once.
/// </remarks>
public sealed class Ledger
{
    public const string ReversalKind = "reversal";

    /// <summary>Opens an account, or confirms an existing one has the same type and institution. Returns its id.</summary>
    public async Task<long> OpenAccountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerAccount account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var type = TypeName(account.Type);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into ledger_accounts (code, type, institution) values (@code, @type, @institution)
            on conflict (code) do nothing
            """,
            new { code = account.Code, type, institution = account.Institution },
            transaction,
            cancellationToken: ct));
        var existing = await connection.QuerySingleAsync<(long Id, string Type, string Institution)>(new CommandDefinition(
            "select id, type, institution from ledger_accounts where code = @code",
            new { code = account.Code },
            transaction,
            cancellationToken: ct));
        if (existing.Type != type || existing.Institution != account.Institution)
        {
            throw new InvalidOperationException(
                $"Account {account.Code} exists as {existing.Type} of {existing.Institution}, not {type} of {account.Institution}.");
        }
        return existing.Id;
    }

    // Accounts known to exist (committed before the statement that saw them), with their type and
    // institution, by database: they are never deleted or changed, so a posting need not open them again.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Database, string Code), (string Type, string Institution)> KnownAccounts = new();

    /// <summary>
    /// Opens these accounts, or confirms existing ones have the same type and institution, in one round
    /// trip (none when every account is already known to this process).
    /// </summary>
    public async Task OpenAccountsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<LedgerAccount> accounts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var database = $"{connection.Host}:{connection.Port}/{connection.Database}";
        var wanted = accounts.Where(a => !KnownAccounts.TryGetValue((database, a.Code), out var known) || known != (TypeName(a.Type), a.Institution)).ToList();
        if (wanted.Count == 0)
        {
            return;
        }
        // Rows this statement inserts are not in its snapshot of ledger_accounts, so they come from `ins`;
        // an account another transaction opened meanwhile shows neither (null): it is opened one by one.
        var rows = await connection.QueryAsync<(string Code, string? Type, string? Institution, bool Existed)>(new CommandDefinition(
            """
            with w as (select * from unnest(@codes::text[], @types::text[], @institutions::text[]) as w(code, type, institution)),
            ins as (
                insert into ledger_accounts (code, type, institution) select code, type, institution from w
                on conflict (code) do nothing
                returning code, type, institution
            )
            select w.code, coalesce(i.type, a.type), coalesce(i.institution, a.institution), a.code is not null
            from w left join ins i on i.code = w.code left join ledger_accounts a on a.code = w.code
            """,
            new
            {
                codes = wanted.Select(a => a.Code).ToArray(),
                types = wanted.Select(a => TypeName(a.Type)).ToArray(),
                institutions = wanted.Select(a => a.Institution).ToArray(),
            },
            transaction,
            cancellationToken: ct));
        foreach (var row in rows)
        {
            var account = wanted.First(a => a.Code == row.Code);
            if (row.Type is null)
            {
                await OpenAccountAsync(connection, transaction, account, ct);
                continue;
            }
            if (row.Type != TypeName(account.Type) || row.Institution != account.Institution)
            {
                throw new InvalidOperationException(
                    $"Account {account.Code} exists as {row.Type} of {row.Institution}, not {TypeName(account.Type)} of {account.Institution}.");
            }
            if (row.Existed)
            {
                KnownAccounts[(database, row.Code)] = (row.Type, row.Institution!);
            }
        }
    }

    private readonly DbSession? _session;

    /// <summary>The ledger on explicit connections (each method takes the connection and transaction).</summary>
    public Ledger()
    {
    }

    /// <summary>The ledger as a member of a write's session: <see cref="Post"/> is queued with the write's other effects.</summary>
    public Ledger(DbSession session) => _session = session;

    /// <summary>
    /// Queues one balanced transaction for the session's next round trip; an unknown account or a
    /// short insert throws when the batch runs (the write's transaction then rolls back).
    /// </summary>
    public void Post(LedgerTransactionRequest request)
    {
        var session = _session ?? throw new InvalidOperationException("This Ledger is not bound to a session.");
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var command = new NpgsqlBatchCommand(PostSql);
        AddPostParameters(command.Parameters, request);
        session.Queue(command, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            CheckPosted(reader, request);
        });
    }

    /// <summary>
    /// <see cref="Post"/> when the caller needs the transaction's id: a query for the session's next batch
    /// (an unknown account throws when it runs).
    /// </summary>
    public Query<long> Posted(LedgerTransactionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var command = new NpgsqlBatchCommand(PostSql);
        AddPostParameters(command.Parameters, request);
        return new Query<long>(command, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return CheckPosted(reader, request);
        });
    }

    /// <summary>
    /// <see cref="OpenAccountsAsync(NpgsqlConnection, NpgsqlTransaction, IReadOnlyCollection{LedgerAccount}, CancellationToken)"/>
    /// on the session's transaction: no round trip once every account is known to this process.
    /// </summary>
    public Task OpenAccountsAsync(IReadOnlyCollection<LedgerAccount> accounts)
    {
        var session = _session ?? throw new InvalidOperationException("This Ledger is not bound to a session.");
        return OpenAccountsAsync(session.Connection,
            session.Transaction ?? throw new InvalidOperationException("Accounts are opened in a write session."), accounts, session.CancellationToken);
    }

    /// <summary>
    /// <see cref="PostWithLinesAsync(NpgsqlConnection, NpgsqlTransaction, LedgerTransactionRequest, IEnumerable{LedgerLine}, CancellationToken)"/>
    /// in the session's transaction: its queued statements go first (with the posting, in one round trip), then the lines' COPY.
    /// </summary>
    public async Task<long> PostWithLinesAsync(LedgerTransactionRequest request, IEnumerable<LedgerLine> lines)
    {
        var session = _session ?? throw new InvalidOperationException("This Ledger is not bound to a session.");
        ArgumentNullException.ThrowIfNull(lines);
        var transactionId = await session.ReadAsync(Posted(request));
        await CopyLinesAsync(session.Connection, transactionId, request, lines, session.CancellationToken);
        return transactionId;
    }

    /// <summary>Posts one balanced transaction; returns its id.</summary>
    public async Task<long> PostAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerTransactionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        await using var command = new NpgsqlCommand(PostSql, connection, transaction);
        AddPostParameters(command.Parameters, request);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return CheckPosted(reader, request);
    }

    // One statement: resolve the accounts, insert the transaction and its entries. Nothing is
    // inserted when an account is unknown; the codes come back so we can say which.
    private const string PostSql = """
        with u as (
            select u.n, u.code, a.id as account_id, u.side, u.amount_fen
            from unnest($8::text[], $9::text[], $10::bigint[]) with ordinality as u(code, side, amount_fen, n)
            left join ledger_accounts a on a.code = u.code
        ),
        t as (
            insert into ledger_transactions (kind, cause_type, cause_id, request_id, funding_source, policy_versions, business_date)
            select $1, $2, $3, $4, $5, $6, $7
            where not exists (select 1 from u where u.account_id is null)
            returning id
        ),
        e as (
            insert into ledger_entries (transaction_id, account_id, side, amount_fen)
            select t.id, u.account_id, u.side, u.amount_fen from t cross join u order by u.n
            returning 1
        )
        select (select id from t), array(select distinct code from u where account_id is null order by code), (select count(*) from e)
        """;

    private static void AddPostParameters(NpgsqlParameterCollection parameters, LedgerTransactionRequest request)
    {
        parameters.Add(new NpgsqlParameter { Value = request.Kind });
        parameters.Add(new NpgsqlParameter { Value = request.CauseType });
        parameters.Add(new NpgsqlParameter { Value = request.CauseId });
        parameters.Add(new NpgsqlParameter { Value = request.RequestId });
        parameters.Add(new NpgsqlParameter { Value = (object?)request.FundingSource ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = request.PolicyVersions.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = request.BusinessDate, NpgsqlDbType = NpgsqlDbType.Date });
        parameters.Add(new NpgsqlParameter { Value = request.Postings.Select(p => p.AccountCode).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = request.Postings.Select(p => p.IsDebit ? "D" : "C").ToArray() });
        parameters.Add(new NpgsqlParameter { Value = request.Postings.Select(p => p.AmountFen).ToArray() });
    }

    private static long CheckPosted(NpgsqlDataReader reader, LedgerTransactionRequest request)
    {
        var missing = reader.GetFieldValue<string[]>(1);
        if (missing.Length > 0)
        {
            throw new UnknownLedgerAccountException(missing);
        }
        var transactionId = reader.GetInt64(0);
        var entriesCount = reader.GetInt64(2);
        if (entriesCount != request.Postings.Count)
        {
            throw new InvalidOperationException($"Ledger transaction {transactionId} got {entriesCount} entries for {request.Postings.Count} postings.");
        }
        return transactionId;
    }

    /// <summary>Most detail lines under one ledger transaction.</summary>
    public const int LinesMax = 10_000_000;

    /// <summary>
    /// Posts one aggregate transaction (e.g. a bank's quarterly settlement) with its per-subject
    /// breakdown streamed by binary COPY into <c>ledger_transaction_lines</c>. The lines must add
    /// up to the transaction's total; checked here before commit and again by the database at
    /// commit. This is the path for a million-line settlement. Returns the transaction id.
    /// </summary>
    public async Task<long> PostWithLinesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerTransactionRequest request, IEnumerable<LedgerLine> lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var transactionId = await PostAsync(connection, transaction, request, ct);
        await CopyLinesAsync(connection, transactionId, request, lines, ct);
        return transactionId;
    }

    // The lines of a posted transaction by binary COPY; they must add up to its total (checked here and at commit).
    private static async Task CopyLinesAsync(NpgsqlConnection connection, long transactionId, LedgerTransactionRequest request, IEnumerable<LedgerLine> lines, CancellationToken ct)
    {
        var totalFen = request.Postings.Sum(p => p.DebitFen);
        long linesFen = 0;
        var lineNo = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy ledger_transaction_lines (transaction_id, line_no, subject_type, subject_id, amount_fen) from stdin (format binary)", ct))
        {
            foreach (var line in lines)
            {
                if (line.AmountFen <= 0 || string.IsNullOrEmpty(line.SubjectType) || string.IsNullOrEmpty(line.SubjectId))
                {
                    throw new ArgumentException($"Line {lineNo} of {request.Kind}/{request.CauseId} needs a subject and a positive amount.");
                }
                if (lineNo >= LinesMax)
                {
                    throw new ArgumentException($"At most {LinesMax} lines per ledger transaction.");
                }
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(transactionId, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(lineNo, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(line.SubjectType, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(line.SubjectId, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(line.AmountFen, NpgsqlDbType.Bigint, ct);
                linesFen = checked(linesFen + line.AmountFen);
                lineNo++;
            }
            if (linesFen != totalFen)
            {
                // Not completing the COPY cancels it; the caller's transaction is then aborted.
                throw new LedgerUnbalancedException(
                    $"{request.Kind}/{request.CauseId}: {lineNo} lines add up to {linesFen} fen but the transaction moves {totalFen} fen.");
            }
            await writer.CompleteAsync(ct);
        }
    }

    /// <summary>Most ledger transactions in one <see cref="PostBatchAsync"/> call.</summary>
    public const int BatchTransactionsMax = 2_000_000;

    /// <summary>
    /// Posts many balanced transactions at once with binary COPY (set-based settlement):
    /// ids are reserved from the sequence, then transactions and entries are streamed in two
    /// COPY operations. The database applies the same checks as for <see cref="PostAsync"/>
    /// (balance per transaction at commit, balances updated once per account for the whole
    /// batch). Returns the transaction ids in request order.
    /// </summary>
    public async Task<long[]> PostBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<LedgerTransactionRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count > BatchTransactionsMax)
        {
            throw new ArgumentException($"At most {BatchTransactionsMax} transactions per batch; got {requests.Count}.", nameof(requests));
        }
        if (requests.Count == 0)
        {
            return [];
        }
        foreach (var request in requests)
        {
            request.Validate();
        }
        var accountIds = await ResolveAccountsAsync(connection, transaction, requests.SelectMany(r => r.Postings).Select(p => p.AccountCode), ct);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(
            "select nextval(pg_get_serial_sequence('ledger_transactions', 'id')) from generate_series(1, @count)",
            new { count = requests.Count },
            transaction,
            cancellationToken: ct))).ToArray();

        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy ledger_transactions (id, kind, cause_type, cause_id, request_id, funding_source, policy_versions, business_date) from stdin (format binary)", ct))
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(request.Kind, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(request.CauseType, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(request.CauseId, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(request.RequestId, NpgsqlDbType.Text, ct);
                if (request.FundingSource is null)
                {
                    await writer.WriteNullAsync(ct);
                }
                else
                {
                    await writer.WriteAsync(request.FundingSource, NpgsqlDbType.Text, ct);
                }
                await writer.WriteAsync(request.PolicyVersions as string[] ?? request.PolicyVersions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await writer.WriteAsync(request.BusinessDate, NpgsqlDbType.Date, ct);
            }
            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy ledger_entries (transaction_id, account_id, side, amount_fen) from stdin (format binary)", ct))
        {
            for (var i = 0; i < requests.Count; i++)
            {
                foreach (var posting in requests[i].Postings)
                {
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(accountIds[posting.AccountCode], NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(posting.IsDebit ? "D" : "C", NpgsqlDbType.Char, ct);
                    await writer.WriteAsync(posting.AmountFen, NpgsqlDbType.Bigint, ct);
                }
            }
            await writer.CompleteAsync(ct);
        }
        return ids;
    }

    /// <summary>
    /// Posts the mirror of <paramref name="transactionId"/> (every debit becomes a credit and vice
    /// versa) on <paramref name="businessDate"/>, pointing at what it reverses. A transaction is
    /// reversed at most once; returns the reversal's id.
    /// </summary>
    public async Task<long> ReverseAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        long transactionId,
        string requestId,
        string reason,
        DateOnly businessDate,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var state = await connection.QuerySingleOrDefaultAsync<(long Id, long? ReversedBy, DateTime BusinessDate)?>(new CommandDefinition(
            """
            select t.id, r.id, t.business_date from ledger_transactions t
            left join ledger_transactions r on r.reverses_transaction_id = t.id
            where t.id = @transactionId
            """,
            new { transactionId },
            transaction,
            cancellationToken: ct));
        if (state is null)
        {
            throw new LedgerReversalException($"Ledger transaction {transactionId} does not exist.");
        }
        if (state.Value.ReversedBy is { } reversedBy)
        {
            throw new LedgerReversalException($"Ledger transaction {transactionId} was already reversed by {reversedBy}.");
        }
        var originalDate = DateOnly.FromDateTime(state.Value.BusinessDate);
        if (businessDate < originalDate)
        {
            throw new LedgerReversalException(
                $"Ledger transaction {transactionId} of {originalDate:yyyy-MM-dd} cannot be reversed on an earlier business date {businessDate:yyyy-MM-dd}.");
        }
        // The unique constraint on reverses_transaction_id still guards a concurrent second reversal.
        long reversalId;
        await using (var insert = new NpgsqlCommand(
            """
            insert into ledger_transactions (kind, cause_type, cause_id, request_id, funding_source, policy_versions,
                                             business_date, reverses_transaction_id, reason)
            select $1, cause_type, cause_id, $2, funding_source, policy_versions, $3, id, $4
            from ledger_transactions where id = $5
            returning id
            """,
            connection,
            transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = ReversalKind });
            insert.Parameters.Add(new NpgsqlParameter { Value = requestId });
            insert.Parameters.Add(new NpgsqlParameter { Value = businessDate, NpgsqlDbType = NpgsqlDbType.Date });
            insert.Parameters.Add(new NpgsqlParameter { Value = reason });
            insert.Parameters.Add(new NpgsqlParameter { Value = transactionId });
            try
            {
                reversalId = (long)(await insert.ExecuteScalarAsync(ct))!;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation
                && exception.ConstraintName == "ledger_transactions_reverses_transaction_id_key")
            {
                throw new LedgerReversalException($"Ledger transaction {transactionId} was reversed concurrently.", exception);
            }
        }
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into ledger_entries (transaction_id, account_id, side, amount_fen)
            select @reversalId, account_id, case side when 'D' then 'C' else 'D' end, amount_fen
            from ledger_entries where transaction_id = @transactionId
            order by id
            """,
            new { reversalId, transactionId },
            transaction,
            cancellationToken: ct));
        return reversalId;
    }

    /// <summary>Current balance, from the incrementally maintained <c>ledger_balances</c> (the sum of the account's slots).</summary>
    public async Task<AccountBalance> BalanceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string accountCode, CancellationToken ct = default)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long DebitsFen, long CreditsFen, long BalanceFen)?>(new CommandDefinition(
            """
            select sum(b.debits_fen)::bigint, sum(b.credits_fen)::bigint, sum(b.balance_fen)::bigint
            from ledger_accounts a join ledger_balances b on b.account_id = a.id
            where a.code = @accountCode
            group by a.id
            """,
            new { accountCode },
            transaction,
            cancellationToken: ct));
        if (row is null)
        {
            throw new UnknownLedgerAccountException([accountCode]);
        }
        return new AccountBalance(accountCode, row.Value.DebitsFen, row.Value.CreditsFen, row.Value.BalanceFen);
    }

    /// <summary>Balance at the end of <paramref name="businessDate"/> (inclusive), summed from entries.</summary>
    public Task<AccountBalance> BalanceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string accountCode, DateOnly businessDate, CancellationToken ct = default)
        => PointInTimeBalanceAsync(connection, transaction, accountCode, "t.business_date <= $2", businessDate, NpgsqlDbType.Date, ct);

    /// <summary>
    /// Balance as posted at or before the instant <paramref name="postedAtOrBefore"/>, summed from entries.
    /// <c>posted_at</c> is the start time of the posting database transaction, so a posting that
    /// was still uncommitted at that instant can appear in a later query for the same instant.
    /// </summary>
    public Task<AccountBalance> BalanceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string accountCode, DateTimeOffset postedAtOrBefore, CancellationToken ct = default)
        => PointInTimeBalanceAsync(connection, transaction, accountCode, "t.posted_at <= $2", postedAtOrBefore.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);

    /// <summary>
    /// Checks the whole ledger: every transaction has ≥ 2 entries and balances, and every
    /// <c>ledger_balances</c> row equals the sum of its account's entries. For <c>danbao verify</c>.
    /// </summary>
    public async Task<LedgerVerificationReport> VerifyAsync(NpgsqlConnection connection, CancellationToken ct = default)
    {
        // One snapshot for both checks, so concurrent postings cannot produce false alarms.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var transactionsChecked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from ledger_transactions", transaction: transaction, cancellationToken: ct));
        var accountsChecked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from ledger_accounts", transaction: transaction, cancellationToken: ct));
        var unbalanced = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            select format('transaction %s: %s entries, debits %s fen, credits %s fen', t.id, count(e.id),
                          coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0),
                          coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0))
            from ledger_transactions t
            left join ledger_entries e on e.transaction_id = t.id
            group by t.id
            having count(e.id) < 2
                or coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)
                   <> coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)
            order by t.id
            limit @limit
            """,
            new { limit = LedgerVerificationReport.ProblemsListedMax },
            transaction,
            cancellationToken: ct))).ToList();
        var mismatches = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            select format('account %s: recorded debits %s credits %s balance %s; entries debits %s credits %s balance %s',
                          a.code, b.debits_fen, b.credits_fen, b.balance_fen, s.debits_fen, s.credits_fen,
                          case a.normal_side when 'D' then s.debits_fen - s.credits_fen else s.credits_fen - s.debits_fen end)
            from ledger_accounts a
            left join (
                select account_id, sum(debits_fen) as debits_fen, sum(credits_fen) as credits_fen, sum(balance_fen) as balance_fen
                from ledger_balances group by account_id
            ) b on b.account_id = a.id
            cross join lateral (
                select coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0) as debits_fen,
                       coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0) as credits_fen
                from ledger_entries e where e.account_id = a.id
            ) s
            where b.account_id is null
               or b.debits_fen <> s.debits_fen
               or b.credits_fen <> s.credits_fen
               or b.balance_fen <> case a.normal_side when 'D' then s.debits_fen - s.credits_fen else s.credits_fen - s.debits_fen end
            order by a.code
            limit @limit
            """,
            new { limit = LedgerVerificationReport.ProblemsListedMax },
            transaction,
            cancellationToken: ct))).ToList();
        // The per-(account, cause) balances (migration 0065) against the entries, both ways.
        mismatches.AddRange(await connection.QueryAsync<string>(new CommandDefinition(
            """
            with journal as (
                select e.account_id, t.cause_type, t.cause_id,
                       sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint as balance_fen
                from ledger_entries e
                join ledger_transactions t on t.id = e.transaction_id
                join ledger_accounts a on a.id = e.account_id
                group by e.account_id, t.cause_type, t.cause_id)
            select format('account %s, %s %s: recorded cause balance %s; entries %s', a.code,
                          coalesce(c.cause_type, j.cause_type), coalesce(c.cause_id, j.cause_id), c.balance_fen, j.balance_fen)
            from ledger_cause_balances c
            full join journal j on j.account_id = c.account_id and j.cause_type = c.cause_type and j.cause_id = c.cause_id
            join ledger_accounts a on a.id = coalesce(c.account_id, j.account_id)
            where c.balance_fen is distinct from j.balance_fen
            order by 1
            limit @limit
            """,
            new { limit = LedgerVerificationReport.ProblemsListedMax },
            transaction,
            cancellationToken: ct)));
        // The day totals per (account, business date, kind) (migration 0065) against the entries.
        mismatches.AddRange(await connection.QueryAsync<string>(new CommandDefinition(
            """
            with journal as (
                select e.account_id, t.business_date, t.kind,
                       coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint as debits_fen,
                       coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint as credits_fen
                from ledger_entries e
                join ledger_transactions t on t.id = e.transaction_id
                group by e.account_id, t.business_date, t.kind)
            select format('account %s, %s on %s: recorded debits %s credits %s; entries debits %s credits %s', a.code,
                          coalesce(m.kind, j.kind), coalesce(m.business_date, j.business_date), m.debits_fen, m.credits_fen, j.debits_fen, j.credits_fen)
            from (
                select account_id, business_date, kind, sum(debits_fen) as debits_fen, sum(credits_fen) as credits_fen
                from ledger_daily_movements group by account_id, business_date, kind
            ) m
            full join journal j on j.account_id = m.account_id and j.business_date = m.business_date and j.kind = m.kind
            join ledger_accounts a on a.id = coalesce(m.account_id, j.account_id)
            where m.debits_fen is distinct from j.debits_fen or m.credits_fen is distinct from j.credits_fen
            order by 1
            limit @limit
            """,
            new { limit = LedgerVerificationReport.ProblemsListedMax },
            transaction,
            cancellationToken: ct)));
        await transaction.CommitAsync(ct);
        return new LedgerVerificationReport(transactionsChecked, accountsChecked, unbalanced, mismatches);
    }

    internal static async Task<Dictionary<string, long>> ResolveAccountsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> codes, CancellationToken ct)
    {
        var distinct = codes.Distinct(StringComparer.Ordinal).ToArray();
        var rows = await connection.QueryAsync<(string Code, long Id)>(new CommandDefinition(
            "select code, id from ledger_accounts where code = any(@distinct)",
            new { distinct },
            transaction,
            cancellationToken: ct));
        var ids = rows.ToDictionary(r => r.Code, r => r.Id, StringComparer.Ordinal);
        if (ids.Count != distinct.Length)
        {
            throw new UnknownLedgerAccountException(distinct.Where(c => !ids.ContainsKey(c)).ToList());
        }
        return ids;
    }

    private static async Task<AccountBalance> PointInTimeBalanceAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string accountCode, string condition, object asOf, NpgsqlDbType asOfType, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select a.normal_side,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
                   coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
            from ledger_accounts a
            left join (ledger_entries e join ledger_transactions t on t.id = e.transaction_id and {condition})
                   on e.account_id = a.id
            where a.code = $1
            group by a.id, a.normal_side
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = accountCode });
        command.Parameters.Add(new NpgsqlParameter { Value = asOf, NpgsqlDbType = asOfType });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new UnknownLedgerAccountException([accountCode]);
        }
        var normalSide = reader.GetString(0);
        var debitsFen = reader.GetInt64(1);
        var creditsFen = reader.GetInt64(2);
        var balanceFen = normalSide == "D" ? debitsFen - creditsFen : creditsFen - debitsFen;
        return new AccountBalance(accountCode, debitsFen, creditsFen, balanceFen);
    }

    private static string TypeName(LedgerAccountType type) => type switch
    {
        LedgerAccountType.Asset => "asset",
        LedgerAccountType.Liability => "liability",
        LedgerAccountType.Equity => "equity",
        LedgerAccountType.Income => "income",
        LedgerAccountType.Expense => "expense",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
