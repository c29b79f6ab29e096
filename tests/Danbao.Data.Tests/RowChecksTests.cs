using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>
/// Migration 0075 moved the CHECK constraints of the loan write's tables into one function per table: every
/// condition must still refuse its row. Each statement runs in a savepoint of one transaction that turns foreign
/// keys off (session_replication_role), so rows need no parents; CHECK constraints still apply.
/// </summary>
public sealed class RowChecksTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string LoanId = "L0123456789ABCD";

    private static async Task<PostgresException?> TryAsync(NpgsqlConnection connection, string sql)
    {
        await using var savepoint = new NpgsqlCommand("savepoint s", connection);
        await savepoint.ExecuteNonQueryAsync();
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e;
        }
        finally
        {
            await using var back = new NpgsqlCommand("rollback to savepoint s", connection);
            await back.ExecuteNonQueryAsync();
        }
    }

    private async Task AssertRefusedAsync(string constraint, string valid, params string[] invalid)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var setUp = new NpgsqlCommand(
            $$"""
            set local session_replication_role = replica;
            insert into loans (id, bank_id, region_code, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee, outstanding_principal_fen)
            values ('{{LoanId}}', 'no-bank', 'CN-GD-GZ', 'CURRENT', 'INDIVIDUAL', '{}', '\x00', decode(repeat('ab', 32), 'hex'), 100000000,
                24, 395, 'BULLET', '2026-01-05', '2026-01-02', false, 100000000)
            """, connection))
        {
            await setUp.ExecuteNonQueryAsync();
        }
        Assert.Null(await TryAsync(connection, valid));
        foreach (var sql in invalid)
        {
            var refused = await TryAsync(connection, sql);
            Assert.True(refused is { SqlState: PostgresErrorCodes.CheckViolation } && refused.ConstraintName == constraint,
                $"{sql}: {refused?.SqlState} {refused?.ConstraintName}");
        }
    }

    private static string Loan(string set) => $"update loans set {set} where id = '{LoanId}'";

    [Fact]
    public Task A_loan_row_is_refused_for_each_condition_of_its_check() => AssertRefusedAsync("loans_row_valid",
        Loan("publicity_days = null, publicity_unit = null, fund_risk_share_bp = 10000, outstanding_principal_fen = amount_fen, state = 'SETTLED', guarantor_type = 'GOVERNMENT_FINANCING_GUARANTOR'"),
        Loan("id = 'X0123456789ABCD'"),
        Loan("region_code = 'GD'"),
        Loan("id_number_index = '\\x00'"),
        Loan("state = 'OPEN'"),
        Loan("borrower_type = 'COMPANY'"),
        Loan("repayment_method = 'ANNUITY'"),
        Loan("guarantor_type = 'BANK'"),
        Loan("publicity_unit = 'DAYS'"),
        Loan("amount_fen = 0, outstanding_principal_fen = 0"),
        Loan("term_months = 0"),
        Loan("contract_rate_bp = 0"),
        Loan("outstanding_principal_fen = -1"),
        Loan("outstanding_principal_fen = amount_fen + 1"),
        Loan("unpaid_interest_fen = -1"),
        Loan("publicity_days = 0"),
        Loan("suspended_days = -1"),
        Loan("extensions = -1"),
        Loan("extension_months = -1"),
        Loan("fund_risk_share_bp = 10001"),
        Loan("fund_risk_share_bp = -1"),
        Loan("version = 0"));

    private static string Repayment(long amount, long interest, long principal) =>
        $$"""
        insert into loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
        values ('{{LoanId}}', '2026-02-05', {{amount}}, {{interest}}, {{principal}}, '2026-01-05', '2026-02-05', 'r1')
        """;

    [Fact]
    public Task A_repayment_row_is_refused_for_each_condition_of_its_check() => AssertRefusedAsync("loan_repayments_row_valid",
        Repayment(300, 100, 200),
        Repayment(0, 0, 0), Repayment(300, -1, 301), Repayment(300, 301, -1), Repayment(300, 100, 199));

    private static string AuditEvent(string subjectType, string subjectId, string action) =>
        $$"""
        insert into audit_events (subject_type, subject_id, action, actor_institution, actor_role, occurred_at)
        values ('{{subjectType}}', '{{subjectId}}', '{{action}}', 'icbc-gz', 'BANK', now())
        """;

    [Fact]
    public Task An_audit_event_is_refused_for_each_condition_of_its_check() => AssertRefusedAsync("audit_events_row_valid",
        AuditEvent(new string('t', 100), new string('s', 200), new string('a', 100)),
        AuditEvent("", "s", "a"), AuditEvent(new string('t', 101), "s", "a"), AuditEvent("t", "", "a"),
        AuditEvent("t", new string('s', 201), "a"), AuditEvent("t", "s", ""), AuditEvent("t", "s", new string('a', 101)));

    private static string Key(string scope, string requestId, string method, int hashBytes) =>
        $$"""
        insert into idempotency_keys (scope, request_id, method, request_hash)
        values ('{{scope}}', '{{requestId}}', '{{method}}', decode(repeat('ab', {{hashBytes}}), 'hex'))
        """;

    [Fact]
    public Task An_idempotency_key_is_refused_for_each_condition_of_its_check() => AssertRefusedAsync("idempotency_keys_row_valid",
        Key(new string('s', 200), new string('r', 200), new string('m', 200), 32),
        Key("", "r", "m", 32), Key(new string('s', 201), "r", "m", 32), Key("s", "", "m", 32), Key("s", new string('r', 201), "m", 32),
        Key("s", "r", "", 32), Key("s", "r", new string('m', 201), 32), Key("s", "r", "m", 31), Key("s", "r", "m", 33));

    private static string Transaction(string kind, string causeType, string causeId, string requestId, string reverses = "null") =>
        $$"""
        insert into ledger_transactions (id, kind, cause_type, cause_id, request_id, policy_versions, business_date, reverses_transaction_id)
        overriding system value values (900001, '{{kind}}', '{{causeType}}', '{{causeId}}', '{{requestId}}', '{}', '2026-02-05', {{reverses}})
        """;

    [Fact]
    public Task A_ledger_transaction_is_refused_for_each_condition_of_its_check() => AssertRefusedAsync("ledger_transactions_row_valid",
        Transaction(new string('k', 100), new string('t', 100), new string('c', 200), new string('r', 200), "900000"),
        Transaction("", "t", "c", "r"), Transaction(new string('k', 101), "t", "c", "r"), Transaction("k", "", "c", "r"),
        Transaction("k", new string('t', 101), "c", "r"), Transaction("k", "t", "", "r"), Transaction("k", "t", new string('c', 201), "r"),
        Transaction("k", "t", "c", ""), Transaction("k", "t", "c", new string('r', 201)), Transaction("k", "t", "c", "r", "900001"));
}
