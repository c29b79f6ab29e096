using System.Diagnostics;
using Dapper;
using Danbao.Data.Accounting;
using Danbao.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Data.Tests;

public sealed class LedgerBatchTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>Transactions in the timed batch; set DANBAO_BENCH_LINES=1000000 for the settlement-sized run.</summary>
    private static int LinesCount => int.TryParse(Environment.GetEnvironmentVariable("DANBAO_BENCH_LINES"), out var n) ? n : 20_000;

    private readonly Ledger _ledger = new();

    [Fact]
    public async Task A_settlement_batch_posts_every_line_balanced_and_updates_balances_once()
    {
        var accounts = new LedgerTestAccounts();
        var database = await postgres.CreateDatabaseAsync();
        await using var dataSource = database.CreateDataSource();
        await using var db = new Database(dataSource, new DatabaseOptions { ConnectionString = database.ConnectionString });
        await db.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                await _ledger.PostAsync(connection, transaction, accounts.CapitalInjection(100_000_000_000_00, new DateOnly(2025, 1, 2)), ct);
                return 0;
            },
            CancellationToken.None);
        var lines = Enumerable.Range(0, LinesCount)
            .Select(i => accounts.Compensation(1_000 + i % 977, new DateOnly(2025, 6, 30), requestId: $"settle-2025Q2-{i}") with { CauseId = $"L-{i}" })
            .ToList();
        var expectedFen = lines.Sum(l => l.Postings[0].DebitFen);

        var stopwatch = Stopwatch.StartNew();
        var ids = await db.InTransactionAsync(
            (connection, transaction, ct) => _ledger.PostBatchAsync(connection, transaction, lines, ct),
            CancellationToken.None);
        stopwatch.Stop();
        output.WriteLine($"PostBatchAsync: {LinesCount} transactions ({2 * LinesCount} entries) committed in {stopwatch.ElapsedMilliseconds} ms = {LinesCount / stopwatch.Elapsed.TotalSeconds:F0} transactions/s");

        Assert.Equal(LinesCount, ids.Distinct().Count());
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(expectedFen, (await _ledger.BalanceAsync(connection, null, accounts.CompensationPaid)).BalanceFen);
        Assert.Equal(100_000_000_000_00 - expectedFen, (await _ledger.BalanceAsync(connection, null, accounts.Cash)).BalanceFen);
        var version = await connection.ExecuteScalarAsync<long>(
            "select sum(b.version)::bigint from ledger_balances b join ledger_accounts a on a.id = b.account_id where a.code = @code", new { code = accounts.CompensationPaid });
        Assert.Equal(1, version);
        var verify = Stopwatch.StartNew();
        var report = await _ledger.VerifyAsync(connection);
        output.WriteLine($"VerifyAsync over {report.TransactionsChecked} transactions: {verify.ElapsedMilliseconds} ms");
        Assert.True(report.IsConsistent);
    }

    [Fact]
    public async Task A_batch_with_one_unbalanced_line_posts_nothing()
    {
        var accounts = new LedgerTestAccounts();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                return 0;
            },
            CancellationToken.None);
        var good = accounts.Compensation(100, new DateOnly(2025, 6, 30));

        // Bypass the client-side check by copying entries directly, as a buggy writer would.
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = await _ledger.PostBatchAsync(connection, transaction, [good, good with { RequestId = "other" }]);
        var cashId = await connection.ExecuteScalarAsync<long>("select id from ledger_accounts where code = @c", new { c = accounts.Cash }, transaction);
        await connection.ExecuteAsync(
            "insert into ledger_entries (transaction_id, account_id, side, amount_fen) values (@id, @cashId, 'C', 1)",
            new { id = ids[1], cashId },
            transaction);

        await Assert.ThrowsAsync<PostgresException>(async () => await transaction.CommitAsync());
        await using var check = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("select count(*) from ledger_transactions where id = any(@ids)", new { ids }));
    }
}

public sealed class LedgerSettlementLinesTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>Loans in the timed settlement; DANBAO_BENCH_SETTLEMENT_LINES=1000000 for the full-size run.</summary>
    private static int LinesCount => int.TryParse(Environment.GetEnvironmentVariable("DANBAO_BENCH_SETTLEMENT_LINES"), out var n) ? n : 100_000;

    private readonly Ledger _ledger = new();

    private async Task<LedgerTestAccounts> OpenAccountsAsync()
    {
        var accounts = new LedgerTestAccounts();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await accounts.OpenAsync(_ledger, connection, transaction);
                await _ledger.PostAsync(connection, transaction, accounts.CapitalInjection(900_000_000_000_00, new DateOnly(2025, 1, 2)), ct);
                return 0;
            },
            CancellationToken.None);
        return accounts;
    }

    private static IEnumerable<LedgerLine> Loans(int count) =>
        Enumerable.Range(0, count).Select(i => new LedgerLine("loan", $"L-{i:D8}", 1_000 + i % 977));

    [Fact]
    public async Task A_banks_quarterly_settlement_posts_one_transaction_with_a_line_per_loan()
    {
        var accounts = await OpenAccountsAsync();
        var totalFen = Loans(LinesCount).Sum(l => l.AmountFen);
        var request = accounts.Compensation(totalFen, new DateOnly(2025, 6, 30), requestId: "settle-ICBC-2025Q2") with { CauseType = "settlement", CauseId = "ICBC-GZ:2025Q2" };

        var stopwatch = Stopwatch.StartNew();
        var id = await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.PostWithLinesAsync(connection, transaction, request, Loans(LinesCount), ct),
            CancellationToken.None);
        stopwatch.Stop();
        output.WriteLine($"PostWithLinesAsync: {LinesCount} loan lines committed in {stopwatch.ElapsedMilliseconds} ms = {LinesCount / stopwatch.Elapsed.TotalSeconds:F0} lines/s");

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(totalFen, (await _ledger.BalanceAsync(connection, null, accounts.CompensationPaid)).BalanceFen);
        Assert.Equal((LinesCount, totalFen), await connection.QuerySingleAsync<(long, long)>(
            "select count(*), sum(amount_fen)::bigint from ledger_transaction_lines where transaction_id = @id", new { id }));
    }

    [Fact]
    public async Task Lines_that_do_not_add_up_to_the_transaction_are_refused()
    {
        var accounts = await OpenAccountsAsync();
        var request = accounts.Compensation(5_000, new DateOnly(2025, 6, 30));

        await Assert.ThrowsAsync<LedgerUnbalancedException>(async () => await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.PostWithLinesAsync(connection, transaction, request, [new LedgerLine("loan", "L-1", 4_999)], ct),
            CancellationToken.None));

        // And the database refuses the same when lines are written directly.
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await _ledger.PostAsync(connection, transaction, request);
        await connection.ExecuteAsync("insert into ledger_transaction_lines values (@id, 0, 'loan', 'L-1', 4999)", new { id }, transaction);
        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await transaction.CommitAsync());
        Assert.Contains("lines add up to 4999", failure.MessageText);
    }

    [Fact]
    public async Task Lines_cannot_be_added_to_a_committed_transaction_nor_rewritten()
    {
        var accounts = await OpenAccountsAsync();
        var id = await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _ledger.PostWithLinesAsync(connection, transaction, accounts.Compensation(10, new DateOnly(2025, 6, 30)), [new LedgerLine("loan", "L-1", 10)], ct),
            CancellationToken.None);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var late = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync("insert into ledger_transaction_lines values (@id, 1, 'loan', 'L-2', 5)", new { id }));
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, late.SqlState);
        var rewrite = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync("update ledger_transaction_lines set amount_fen = 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, rewrite.SqlState);
    }
}

public sealed class LedgerThroughputTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int PostingsCount = 2_000;
    private static int WorkersCount => int.TryParse(Environment.GetEnvironmentVariable("DANBAO_BENCH_WORKERS"), out var n) ? n : 8;

    [Fact]
    public async Task Single_postings_through_Database_with_idempotency_claims_measure_postings_per_second()
    {
        var ledger = new Ledger();
        var store = new Idempotency.IdempotencyStore();
        // One fund, one bank account per worker: the fund's cash is the hot row every posting locks.
        var accounts = Enumerable.Range(0, WorkersCount).Select(_ => new LedgerTestAccounts()).ToList();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                foreach (var a in accounts)
                {
                    await a.OpenAsync(ledger, connection, transaction);
                    await ledger.PostAsync(connection, transaction, a.CapitalInjection(1_000_000_00, new DateOnly(2025, 1, 2)), ct);
                }
                return 0;
            },
            CancellationToken.None);

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, WorkersCount).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < PostingsCount / WorkersCount; i++)
            {
                var requestId = $"tp-{worker}-{i}-{Guid.NewGuid():N}";
                await postgres.Database.InTransactionAsync(
                    async (connection, transaction, ct) =>
                    {
                        await store.ClaimAsync(connection, transaction, "BANK", requestId, "Compensate", Idempotency.IdempotencyStore.Hash(System.Text.Encoding.UTF8.GetBytes(requestId)), ct);
                        var id = await ledger.PostAsync(connection, transaction, accounts[worker].Compensation(100, new DateOnly(2025, 6, 30), requestId), ct);
                        await store.CompleteAsync(connection, transaction, "BANK", requestId, BitConverter.GetBytes(id), ct);
                        return id;
                    },
                    CancellationToken.None);
            }
        })));
        stopwatch.Stop();
        output.WriteLine($"{PostingsCount} single postings (claim + post + complete, one transaction each, {WorkersCount} workers): {stopwatch.ElapsedMilliseconds} ms = {PostingsCount / stopwatch.Elapsed.TotalSeconds:F0} postings/s");

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.True((await ledger.VerifyAsync(connection)).IsConsistent);
    }
}
