using Dapper;
using Danbao.Data.Accounting;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

public sealed class LedgerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateOnly June1 = new(2025, 6, 1);
    private static readonly DateOnly June30 = new(2025, 6, 30);
    private readonly Ledger _ledger = new();

    private async Task<LedgerTestAccounts> OpenAccountsAsync()
    {
        var accounts = new LedgerTestAccounts();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                return 0;
            },
            CancellationToken.None);
        return accounts;
    }

    private Task<long> PostAsync(LedgerTransactionRequest request) => postgres.Database.InTransactionAsync(
        (connection, transaction, ct) => _ledger.PostAsync(connection, transaction, request, ct), CancellationToken.None);

    private async Task<AccountBalance> BalanceAsync(string code)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        return await _ledger.BalanceAsync(connection, null, code);
    }

    [Fact]
    public async Task Compensation_of_121050_yuan_moves_the_funds_share_from_cash_to_expense()
    {
        var accounts = await OpenAccountsAsync();
        await PostAsync(accounts.CapitalInjection(60_000_000_00, June1));
        await PostAsync(accounts.Compensation(121_050_00, June30));

        Assert.Equal(60_000_000_00 - 121_050_00, (await BalanceAsync(accounts.Cash)).BalanceFen);
        Assert.Equal(121_050_00, (await BalanceAsync(accounts.CompensationPaid)).BalanceFen);
        Assert.Equal(60_000_000_00, (await BalanceAsync(accounts.Capital)).BalanceFen);
    }

    [Fact]
    public async Task Posted_transaction_records_cause_request_policy_versions_and_business_date()
    {
        var accounts = await OpenAccountsAsync();
        var request = accounts.Compensation(100, June30, requestId: "req-cause-" + Guid.NewGuid());
        await PostAsync(accounts.CapitalInjection(100, June1));
        var id = await PostAsync(request);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string Kind, string CauseType, string CauseId, string RequestId, string[] PolicyVersions, DateTime BusinessDate)>(
            "select kind, cause_type, cause_id, request_id, policy_versions, business_date from ledger_transactions where id = @id", new { id });
        Assert.Equal(("compensation", "loan", "L-1", request.RequestId), (row.Kind, row.CauseType, row.CauseId, row.RequestId));
        Assert.Equal(["GZ-2024-2", "national-2023-75"], row.PolicyVersions);
        Assert.Equal(new DateTime(2025, 6, 30), row.BusinessDate);
    }

    [Theory]
    [InlineData("update ledger_entries set amount_fen = amount_fen + 1")]
    [InlineData("delete from ledger_entries")]
    [InlineData("truncate ledger_entries cascade")]
    [InlineData("update ledger_transactions set business_date = business_date - 1")]
    [InlineData("delete from ledger_transactions")]
    [InlineData("update ledger_balances set balance_fen = 0")]
    [InlineData("update ledger_cause_balances set balance_fen = 0")]
    [InlineData("delete from ledger_cause_balances")]
    [InlineData("truncate ledger_cause_balances")]
    [InlineData("update ledger_daily_movements set debits_fen = 0")]
    public async Task The_database_refuses_to_rewrite_the_ledger(string sql)
    {
        var accounts = await OpenAccountsAsync();
        await PostAsync(accounts.CapitalInjection(1_000_00, June1));

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var refusal = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync(sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refusal.SqlState);
    }

    [Fact]
    public async Task An_unbalanced_transaction_inserted_directly_fails_at_commit()
    {
        var accounts = await OpenAccountsAsync();
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = await connection.QueryAsync<long>(
            "select id from ledger_accounts where code = any(@codes) order by code", new { codes = new[] { accounts.Cash, accounts.Capital } }, transaction);
        var accountIds = ids.ToArray();
        var transactionId = await connection.ExecuteScalarAsync<long>(
            "insert into ledger_transactions (kind, cause_type, cause_id, request_id, business_date) values ('x', 'test', '1', 'r', '2025-06-01') returning id",
            transaction: transaction);
        // Both statements succeed: the check is deferred to COMMIT.
        await connection.ExecuteAsync(
            "insert into ledger_entries (transaction_id, account_id, side, amount_fen) values (@t, @a, 'D', 100), (@t, @b, 'C', 99)",
            new { t = transactionId, a = accountIds[0], b = accountIds[1] },
            transaction);

        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await transaction.CommitAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, failure.SqlState);
        Assert.Contains("unbalanced", failure.MessageText);
    }

    [Fact]
    public async Task A_transaction_with_a_single_entry_fails_at_commit()
    {
        var accounts = await OpenAccountsAsync();
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var accountId = await connection.ExecuteScalarAsync<long>("select id from ledger_accounts where code = @c", new { c = accounts.Cash }, transaction);
        var transactionId = await connection.ExecuteScalarAsync<long>(
            "insert into ledger_transactions (kind, cause_type, cause_id, request_id, business_date) values ('x', 'test', '1', 'r', '2025-06-01') returning id",
            transaction: transaction);
        await connection.ExecuteAsync(
            "insert into ledger_entries (transaction_id, account_id, side, amount_fen) values (@t, @a, 'D', 100)",
            new { t = transactionId, a = accountId },
            transaction);

        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await transaction.CommitAsync());
        Assert.Contains("at least 2", failure.MessageText);
    }

    [Fact]
    public async Task Entries_cannot_be_added_to_a_committed_transaction()
    {
        var accounts = await OpenAccountsAsync();
        var id = await PostAsync(accounts.CapitalInjection(500, June1));

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync(
            """
            insert into ledger_entries (transaction_id, account_id, side, amount_fen)
            select @id, account_id, side, amount_fen from ledger_entries where transaction_id = @id
            """,
            new { id }));
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, failure.SqlState);
    }

    [Fact]
    public async Task An_unbalanced_request_is_refused_before_reaching_the_database()
    {
        var accounts = await OpenAccountsAsync();
        var request = accounts.CapitalInjection(100, June1) with
        {
            Postings = [LedgerPosting.Debit(accounts.Cash, 100), LedgerPosting.Credit(accounts.Capital, 99)],
        };
        await Assert.ThrowsAsync<LedgerUnbalancedException>(async () => await PostAsync(request));
    }

    [Fact]
    public async Task Posting_to_an_account_never_opened_is_refused()
    {
        var accounts = await OpenAccountsAsync();
        var request = accounts.CapitalInjection(100, June1) with
        {
            Postings = [LedgerPosting.Debit(accounts.Cash, 100), LedgerPosting.Credit("fund:NOWHERE:capital", 100)],
        };
        var failure = await Assert.ThrowsAsync<UnknownLedgerAccountException>(async () => await PostAsync(request));
        Assert.Equal(["fund:NOWHERE:capital"], failure.Codes);
    }

    [Fact]
    public async Task A_reversal_nets_every_account_to_zero_and_can_happen_only_once()
    {
        var accounts = await OpenAccountsAsync();
        await PostAsync(accounts.CapitalInjection(1_000_000_00, June1));
        var compensation = await PostAsync(accounts.Compensation(136_181_25, June30));

        var reversal = await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.ReverseAsync(connection, transaction, compensation, "req-rev-1", "claim withdrawn", June30, ct),
            CancellationToken.None);

        Assert.NotEqual(compensation, reversal);
        Assert.Equal(0, (await BalanceAsync(accounts.CompensationPaid)).BalanceFen);
        Assert.Equal(1_000_000_00, (await BalanceAsync(accounts.Cash)).BalanceFen);
        Assert.Equal(136_181_25, (await BalanceAsync(accounts.CompensationPaid)).DebitsFen);

        await Assert.ThrowsAsync<LedgerReversalException>(async () => await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.ReverseAsync(connection, transaction, compensation, "req-rev-2", "again", June30, ct),
            CancellationToken.None));
    }

    [Fact]
    public async Task The_database_refuses_a_second_reversal_even_when_the_application_check_is_bypassed()
    {
        var accounts = await OpenAccountsAsync();
        var original = await PostAsync(accounts.CapitalInjection(700, June1));
        await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.ReverseAsync(connection, transaction, original, "req-rev", "mistake", June1, ct),
            CancellationToken.None);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync(
            "insert into ledger_transactions (kind, cause_type, cause_id, request_id, business_date, reverses_transaction_id) values ('reversal', 'fund', 'x', 'r', '2025-06-01', @original)",
            new { original }));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
    }

    [Fact]
    public async Task A_reversal_that_does_not_mirror_the_original_fails_at_commit()
    {
        var accounts = await OpenAccountsAsync();
        var original = await PostAsync(accounts.CapitalInjection(700, June1));

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var reversal = await connection.ExecuteScalarAsync<long>(
            "insert into ledger_transactions (kind, cause_type, cause_id, request_id, business_date, reverses_transaction_id) values ('reversal', 'fund', 'x', 'r', '2025-06-01', @original) returning id",
            new { original },
            transaction);
        // Balanced, but it reverses only 600 of the 700.
        await connection.ExecuteAsync(
            """
            insert into ledger_entries (transaction_id, account_id, side, amount_fen)
            select @reversal, account_id, case side when 'D' then 'C' else 'D' end, 600 from ledger_entries where transaction_id = @original
            """,
            new { reversal, original },
            transaction);

        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await transaction.CommitAsync());
        Assert.Contains("does not mirror", failure.MessageText);
    }

    [Fact]
    public async Task The_balance_at_an_earlier_business_date_excludes_later_postings()
    {
        var accounts = await OpenAccountsAsync();
        await PostAsync(accounts.CapitalInjection(60_000_000_00, new DateOnly(2025, 1, 2)));
        await PostAsync(accounts.Compensation(121_050_00, new DateOnly(2025, 3, 31)));
        await PostAsync(accounts.Compensation(30_262_50, new DateOnly(2025, 6, 30)));

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(0, (await _ledger.BalanceAsync(connection, null, accounts.Cash, new DateOnly(2025, 1, 1))).BalanceFen);
        Assert.Equal(60_000_000_00, (await _ledger.BalanceAsync(connection, null, accounts.Cash, new DateOnly(2025, 3, 30))).BalanceFen);
        Assert.Equal(60_000_000_00 - 121_050_00, (await _ledger.BalanceAsync(connection, null, accounts.Cash, new DateOnly(2025, 3, 31))).BalanceFen);
        Assert.Equal(60_000_000_00 - 121_050_00 - 30_262_50, (await _ledger.BalanceAsync(connection, null, accounts.Cash, new DateOnly(2025, 12, 31))).BalanceFen);
        Assert.Equal((await BalanceAsync(accounts.Cash)).BalanceFen, (await _ledger.BalanceAsync(connection, null, accounts.Cash, DateTimeOffset.UtcNow.AddMinutes(1))).BalanceFen);
        Assert.Equal(0, (await _ledger.BalanceAsync(connection, null, accounts.Cash, DateTimeOffset.UtcNow.AddDays(-1))).BalanceFen);
    }

    [Fact]
    public async Task Verify_reports_a_consistent_ledger_and_catches_a_tampered_balance()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await using var db = new Database(dataSource, new DatabaseOptions { ConnectionString = database.ConnectionString });
        var accounts = new LedgerTestAccounts();
        await db.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                await _ledger.PostAsync(connection, transaction, accounts.CapitalInjection(10_000, June1), ct);
                await _ledger.PostAsync(connection, transaction, accounts.Compensation(2_500, June30), ct);
                return 0;
            },
            CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();
        var clean = await _ledger.VerifyAsync(connection);
        Assert.True(clean.IsConsistent, string.Join("; ", clean.BalanceMismatches.Concat(clean.UnbalancedTransactions)));
        Assert.Equal(2, clean.TransactionsChecked);

        // Tampering needs the owner to switch the guard off, which production's app role cannot do.
        await connection.ExecuteAsync(
            """
            alter table ledger_balances disable trigger ledger_balances_guard;
            update ledger_balances set balance_fen = balance_fen + 1 where account_id = (select id from ledger_accounts where code = @code);
            alter table ledger_balances enable trigger ledger_balances_guard;
            """,
            new { code = accounts.Cash });
        var tampered = await _ledger.VerifyAsync(connection);
        Assert.False(tampered.IsConsistent);
        Assert.Single(tampered.BalanceMismatches);
        Assert.Contains(accounts.Cash, tampered.BalanceMismatches[0]);
    }

    [Fact]
    public async Task Each_accounts_balance_per_cause_and_per_day_is_kept_in_the_posting_statement_and_verified()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await using var db = new Database(dataSource, new DatabaseOptions { ConnectionString = database.ConnectionString });
        var accounts = new LedgerTestAccounts();
        LedgerTransactionRequest Guarantee(string loan, long fen, bool release) => new()
        {
            Kind = release ? "guarantee_released" : "guarantee_issued",
            CauseType = "loan",
            CauseId = loan,
            RequestId = "req-" + Guid.NewGuid(),
            BusinessDate = June30,
            Postings = release
                ? [LedgerPosting.Debit(accounts.GuaranteeCommitment, fen), LedgerPosting.Credit(accounts.BankGuaranteed, fen)]
                : [LedgerPosting.Debit(accounts.BankGuaranteed, fen), LedgerPosting.Credit(accounts.GuaranteeCommitment, fen)],
        };
        await db.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                await _ledger.PostAsync(connection, transaction, Guarantee("L-a", 200_000_00, release: false), ct);
                await _ledger.PostAsync(connection, transaction, Guarantee("L-b", 100_000_00, release: false), ct);
                await _ledger.PostAsync(connection, transaction, Guarantee("L-a", 50_000_00, release: true), ct);
                return 0;
            },
            CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Code, string CauseId, long BalanceFen)>(
            """
            select a.code, c.cause_id, c.balance_fen from ledger_cause_balances c join ledger_accounts a on a.id = c.account_id
            where c.cause_type = 'loan' order by a.code, c.cause_id
            """)).ToList();
        // On each account's normal side: the bank's asset and the fund's liability both hold 150,000 for L-a.
        Assert.Equal(
            [(accounts.BankGuaranteed, "L-a", 150_000_00L), (accounts.BankGuaranteed, "L-b", 100_000_00L),
             (accounts.GuaranteeCommitment, "L-a", 150_000_00L), (accounts.GuaranteeCommitment, "L-b", 100_000_00L)],
            rows);
        // And per (account, business date, kind): the day's totals, as the period statement sums them.
        var days = (await connection.QueryAsync<(string Kind, long DebitsFen, long CreditsFen)>(
            """
            select m.kind, sum(m.debits_fen)::bigint, sum(m.credits_fen)::bigint from ledger_daily_movements m join ledger_accounts a on a.id = m.account_id
            where a.code = @code and m.business_date = '2025-06-30' group by m.kind order by m.kind
            """, new { code = accounts.BankGuaranteed })).ToList();
        Assert.Equal([("guarantee_issued", 300_000_00L, 0L), ("guarantee_released", 0L, 50_000_00L)], days);
        Assert.True((await _ledger.VerifyAsync(connection)).IsConsistent);

        await connection.ExecuteAsync(
            """
            alter table ledger_cause_balances disable trigger ledger_cause_balances_guard;
            update ledger_cause_balances set balance_fen = balance_fen + 1 where cause_id = 'L-b' and account_id = (select id from ledger_accounts where code = @code);
            alter table ledger_cause_balances enable trigger ledger_cause_balances_guard;
            """,
            new { code = accounts.BankGuaranteed });
        var tampered = await _ledger.VerifyAsync(connection);
        Assert.Equal([$"account {accounts.BankGuaranteed}, loan L-b: recorded cause balance 10000001; entries 10000000"], tampered.BalanceMismatches);
    }

    [Fact]
    public async Task Opening_an_account_twice_is_idempotent_but_a_different_type_is_refused()
    {
        var accounts = await OpenAccountsAsync();
        await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(accounts.Cash, LedgerAccountType.Asset, accounts.Fund), ct),
            CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(accounts.Cash, LedgerAccountType.Liability, accounts.Fund), ct),
            CancellationToken.None));
    }

    [Fact]
    public async Task Accounts_opened_together_are_created_once_confirmed_after_and_a_different_type_is_refused()
    {
        var owner = "inst-" + Guid.NewGuid().ToString("N")[..8];
        LedgerAccount[] accounts = [new($"fund:{owner}:cash", LedgerAccountType.Asset, owner), new($"fund:{owner}:capital", LedgerAccountType.Equity, owner)];
        Task Open(params LedgerAccount[] list) => postgres.Database.InTransactionAsync(async (connection, transaction, ct) =>
        {
            await _ledger.OpenAccountsAsync(connection, transaction, list, ct);
            return 0;
        }, CancellationToken.None);

        await Open(accounts);
        await Open(accounts);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("select count(*) from ledger_accounts where institution = @owner", new { owner }));
        Assert.Equal(0, (await _ledger.BalanceAsync(connection, null, accounts[0].Code)).BalanceFen);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Open(new LedgerAccount(accounts[1].Code, LedgerAccountType.Liability, owner)));
    }

    [Fact]
    public async Task Concurrent_postings_to_the_same_accounts_keep_balances_exact()
    {
        var accounts = await OpenAccountsAsync();
        await PostAsync(accounts.CapitalInjection(1_000_000, June1));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => PostAsync(
            i % 2 == 0 ? accounts.Compensation(100, June30) : accounts.CapitalInjection(100, June30)))));

        Assert.Equal(1_000_000, (await BalanceAsync(accounts.Cash)).BalanceFen);
        Assert.Equal(1_000_000 + 20 * 100, (await BalanceAsync(accounts.Capital)).BalanceFen);
        Assert.Equal(20 * 100, (await BalanceAsync(accounts.CompensationPaid)).BalanceFen);
    }
}

public sealed class AppRolePrivilegeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData("update ledger_entries set amount_fen = 1")]
    [InlineData("delete from ledger_transactions")]
    [InlineData("truncate audit_events")]
    [InlineData("update ledger_balances set balance_fen = 0")]
    [InlineData("insert into ledger_cause_balances values (1, 'loan', 'L', 1)")]
    public async Task The_application_role_may_not_rewrite_history(string sql)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("set local role danbao_app", transaction: transaction);

        var refusal = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync(sql, transaction: transaction));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refusal.SqlState);
        Assert.Contains("permission denied", refusal.MessageText);
    }

    [Fact]
    public async Task The_application_role_can_post_and_claim_requests()
    {
        var ledger = new Ledger();
        var accounts = new LedgerTestAccounts();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(ledger, connection, transaction);
                return 0;
            },
            CancellationToken.None);

        var id = await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await connection.ExecuteAsync("set local role danbao_app", transaction: transaction);
                var store = new Idempotency.IdempotencyStore();
                var requestId = "req-" + Guid.NewGuid();
                await store.ClaimAsync(connection, transaction, "S", requestId, "Post", Idempotency.IdempotencyStore.Hash("x"u8), ct);
                var posted = await ledger.PostAsync(connection, transaction, accounts.CapitalInjection(1_00, new DateOnly(2025, 6, 1), requestId), ct);
                await ledger.PostWithLinesAsync(connection, transaction, accounts.Compensation(1_00, new DateOnly(2025, 6, 2)), [new LedgerLine("loan", "L-1", 1_00)], ct);
                await ledger.ReverseAsync(connection, transaction, posted, requestId + "-r", "test", new DateOnly(2025, 6, 3), ct);
                await store.CompleteAsync(connection, transaction, "S", requestId, [1], ct);
                return posted;
            },
            CancellationToken.None);
        Assert.True(id > 0);
    }
}

public sealed class LedgerReversalRulesTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly Ledger _ledger = new();

    [Fact]
    public async Task A_reversal_cannot_be_dated_before_what_it_reverses()
    {
        var accounts = new LedgerTestAccounts();
        var original = await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                return await _ledger.PostAsync(connection, transaction, accounts.CapitalInjection(100, new DateOnly(2025, 6, 30)), ct);
            },
            CancellationToken.None);

        await Assert.ThrowsAsync<LedgerReversalException>(async () => await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.ReverseAsync(connection, transaction, original, "req-early", "backdated", new DateOnly(2025, 6, 29), ct),
            CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_reversals_of_one_transaction_post_exactly_one()
    {
        var accounts = new LedgerTestAccounts();
        var original = await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                return await _ledger.PostAsync(connection, transaction, accounts.CapitalInjection(100, new DateOnly(2025, 6, 30)), ct);
            },
            CancellationToken.None);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                return await postgres.Database.InTransactionAsync(
                    (connection, transaction, ct) => _ledger.ReverseAsync(connection, transaction, original, $"req-rev-{i}", "race", new DateOnly(2025, 6, 30), ct),
                    CancellationToken.None);
            }
            catch (LedgerReversalException)
            {
                return 0L;
            }
        })));

        Assert.Single(attempts, id => id > 0);
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(0, (await _ledger.BalanceAsync(connection, null, accounts.Cash)).BalanceFen);
    }
}
