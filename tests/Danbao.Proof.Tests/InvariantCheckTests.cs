using Danbao.Data.Accounting;
using Danbao.Data.Verification;
using Danbao.TestSupport;

namespace Danbao.Proof.Tests;

/// <summary>The invariant check finds what it claims to find (a check that cannot fail proves nothing).</summary>
public sealed class InvariantCheckTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_fresh_database_holds_every_invariant_and_each_breach_is_reported()
    {
        var clean = await InvariantCheck.RunAsync(db.DataSource);
        Assert.True(clean.Ok, clean.ToString());

        // A request claimed but never completed: a write that committed half-way.
        await using (var command = db.DataSource.CreateCommand(
            "insert into idempotency_keys (scope, request_id, method, request_hash) values ('icbc-gz', 'half-done', '/x/Y', decode(repeat('00', 32), 'hex'))"))
        {
            await command.ExecuteNonQueryAsync();
        }
        // The same request posting the same ledger transaction twice.
        var ledger = new Ledger();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await ledger.OpenAccountAsync(conn, tx, new LedgerAccount("fund:proof:capital", LedgerAccountType.Liability, "proof"));
            await ledger.OpenAccountAsync(conn, tx, new LedgerAccount("fund:proof:cash", LedgerAccountType.Asset, "proof"));
            for (var i = 0; i < 2; i++)
            {
                await ledger.PostAsync(conn, tx, new LedgerTransactionRequest
                {
                    Kind = "capital_contribution", CauseType = "fund", CauseId = "proof", RequestId = "posted-twice",
                    BusinessDate = new DateOnly(2025, 7, 1),
                    Postings = [new LedgerPosting("fund:proof:cash", 100, 0), new LedgerPosting("fund:proof:capital", 0, 100)],
                });
            }
            await tx.CommitAsync();
        }

        var report = await InvariantCheck.RunAsync(db.DataSource);
        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.Contains("half-done", StringComparison.Ordinal) && p.Contains("never completed", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("posted-twice", StringComparison.Ordinal) && p.Contains("2 ledger transactions", StringComparison.Ordinal));
        Assert.Equal(2, report.Problems.Count);
    }

    [Fact]
    public async Task A_subsidy_claim_line_whose_claim_does_not_exist_is_reported()
    {
        // Planted: a line of a claim that was never created (no foreign key refuses it since migration 0066).
        await using (var command = db.DataSource.CreateCommand(
            """
            insert into subsidy_claim_lines (claim_id, loan_id, bank_id, quarter_start, interest_paid_fen, subsidy_claimed_fen, flag, decision)
            values ('no-such-claim', 'orphan-loan', 'icbc-gz', date '2025-07-01', 0, 0, 'DIFFERS', 'PENDING')
            """))
        {
            await command.ExecuteNonQueryAsync();
        }
        try
        {
            var report = await InvariantCheck.RunAsync(db.DataSource);
            Assert.Contains("subsidy claim line (loan orphan-loan, quarter 2025-07-01) belongs to claim no-such-claim, which does not exist", report.Problems);
            Assert.Equal(1, report.Counts["subsidy_claim_lines"]);
        }
        finally
        {
            // Lines are never deleted (a trigger refuses it); the plant is removed with triggers off, so the class's other test starts clean.
            await using var conn = await db.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cleanup = new Npgsql.NpgsqlCommand(
                "set local session_replication_role = replica; delete from subsidy_claim_lines where claim_id = 'no-such-claim'", conn, tx);
            await cleanup.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
    }

    [Fact]
    public async Task A_settled_subsidy_claim_whose_paid_lines_differ_from_its_payment_is_reported()
    {
        // Planted: a settled claim whose approved rest pays a line of 1.00 (by derivation, 0070), with a payment of no lines.
        await using (var command = db.DataSource.CreateCommand(
            """
            insert into institutions (id, display_name, role, region_code) values ('proof-bank', 'proof', 'BANK', 'CN-GD-GZ');
            insert into subsidy_claims (id, bank_id, region_code, quarter_start, state, filed_date, ledger_transaction_id, rest_approved)
            values ('CPROOFSETTLED1', 'proof-bank', 'CN-GD-GZ', date '2025-07-01', 'SETTLED', date '2025-10-10', 0, true);
            insert into subsidy_claim_lines (claim_id, loan_id, bank_id, quarter_start, interest_paid_fen, subsidy_claimed_fen, flag,
                                             expected_subsidy_fen, payable_subsidy_fen, decision)
            values ('CPROOFSETTLED1', 'proof-loan', 'proof-bank', date '2025-07-01', 200, 100, 'MATCHES', 100, 100, 'PENDING');
            """))
        {
            await command.ExecuteNonQueryAsync();
        }
        try
        {
            var report = await InvariantCheck.RunAsync(db.DataSource);
            Assert.Contains("subsidy claim CPROOFSETTLED1: its payment has 0 lines of 0 fen, its paid lines are 1 of 100 fen", report.Problems);
        }
        finally
        {
            // Claims and lines are never deleted (triggers refuse it): the plant is removed with triggers off.
            await using var conn = await db.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cleanup = new Npgsql.NpgsqlCommand(
                """
                set local session_replication_role = replica;
                delete from subsidy_claim_lines where claim_id = 'CPROOFSETTLED1';
                delete from subsidy_claims where id = 'CPROOFSETTLED1';
                delete from institutions where id = 'proof-bank';
                """, conn, tx);
            await cleanup.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
    }
}
