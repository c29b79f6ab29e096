using Danbao.Data.Accounting;
using Npgsql;

namespace Danbao.Data.Verification;

/// <summary>
/// What must hold in a Danbao database whatever happened to the processes writing it (crashes,
/// retries, lost replies): each request took effect at most once, every write that was claimed
/// was completed in the same transaction, no write posted the same ledger transaction twice, the
/// ledger balances, and each loan's outstanding
/// principal is its amount less the principal repaid. Read-only; safe on a live database
/// (one repeatable-read snapshot per part). Used by the fault tests and by <c>danbao verify</c>.
/// </summary>
public static class InvariantCheck
{
    /// <summary>States in which only repayments have moved the principal since disbursement.</summary>
    private static readonly string[] RepaymentStates = ["CURRENT", "OVERDUE", "SETTLED", "EXTENDED"];

    /// <summary>States before disbursement: nothing lent, nothing repaid.</summary>
    private static readonly string[] BeforeDisbursement =
        ["SUBMITTED", "ELIGIBILITY_REVIEW", "PUBLICITY", "OBJECTION", "DUE_DILIGENCE", "APPROVED", "GUARANTEED", "REJECTED", "WITHDRAWN"];

    public static async Task<InvariantReport> RunAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var problems = new List<string>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var conn = await dataSource.OpenConnectionAsync(ct);

        var ledger = await new Ledger().VerifyAsync(conn, ct);
        counts["ledger_transactions"] = ledger.TransactionsChecked;
        counts["ledger_accounts"] = ledger.AccountsChecked;
        problems.AddRange(ledger.UnbalancedTransactions.Select(p => "ledger: " + p));
        problems.AddRange(ledger.BalanceMismatches.Select(p => "ledger: " + p));

        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        foreach (var table in new[] { "loans", "loan_repayments", "audit_events", "idempotency_keys" })
        {
            counts[table] = await ScalarAsync(conn, tx, $"select count(*) from {table}", ct);
        }

        // A claim and its stored reply are written in one transaction: a claim without a reply
        // means a write committed half-way.
        await ListAsync(conn, tx, problems, """
            select format('idempotency key %s/%s (%s) was claimed but never completed', scope, request_id, method)
            from idempotency_keys where completed_at is null or response is null
            order by created_at limit 100
            """, ct);

        // Each request took effect at most once.
        await ListAsync(conn, tx, problems, """
            select format('request %s recorded %s repayments', request_id, count(*))
            from loan_repayments group by request_id having count(*) > 1 order by request_id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, """
            select format('request %s wrote %s audit events %s on %s/%s', request_id, count(*), action, subject_type, subject_id)
            from audit_events where request_id is not null
            group by request_id, action, subject_type, subject_id having count(*) > 1
            order by request_id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, """
            select format('request %s submitted %s loans', request_id, count(*))
            from audit_events where action = 'loan.submitted' and request_id is not null
            group by request_id having count(*) > 1 order by request_id limit 100
            """, ct);

        // Each write posts each kind of ledger transaction at most once per cause (reversals aside).
        await ListAsync(conn, tx, problems, """
            select format('request %s posted %s ledger transactions %s for %s/%s', request_id, count(*), kind, cause_type, cause_id)
            from ledger_transactions where reverses_transaction_id is null
            group by request_id, kind, cause_type, cause_id having count(*) > 1
            order by request_id limit 100
            """, ct);

        // Every effect belongs to a completed request, and every completed repayment has its effect and audit event.
        await ListAsync(conn, tx, problems, """
            select format('repayment %s of loan %s has no completed idempotency record for request %s', r.id, r.loan_id, r.request_id)
            from loan_repayments r join loans l on l.id = r.loan_id
            where not exists (select 1 from idempotency_keys k where k.scope = l.bank_id and k.request_id = r.request_id and k.completed_at is not null)
            order by r.id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, """
            select format('repayment %s of loan %s (request %s) has no audit event', r.id, r.loan_id, r.request_id)
            from loan_repayments r
            where not exists (select 1 from audit_events a where a.request_id = r.request_id and a.subject_id = r.loan_id
                              and a.action = 'loan.repayment_recorded')
            order by r.id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, """
            select format('loan %s has no loan.submitted audit event', l.id)
            from loans l
            where not exists (select 1 from audit_events a where a.subject_id = l.id and a.action = 'loan.submitted')
            order by l.id limit 100
            """, ct);

        // Principal: amount less what was repaid, for loans only repayments have moved.
        await ListAsync(conn, tx, problems, """
            select format('loan %s (%s): outstanding principal %s fen, but amount %s - repaid principal %s = %s',
                          l.id, l.state, l.outstanding_principal_fen, l.amount_fen, coalesce(r.principal, 0), l.amount_fen - coalesce(r.principal, 0))
            from loans l
            left join (select loan_id, sum(principal_fen) as principal from loan_repayments group by loan_id) r on r.loan_id = l.id
            where l.state = any(@states) and l.outstanding_principal_fen <> l.amount_fen - coalesce(r.principal, 0)
            order by l.id limit 100
            """, ct, ("states", RepaymentStates));
        await ListAsync(conn, tx, problems, """
            select format('loan %s (%s) is not disbursed, yet has outstanding principal %s fen or %s repayments',
                          l.id, l.state, l.outstanding_principal_fen, (select count(*) from loan_repayments r where r.loan_id = l.id))
            from loans l
            where l.state = any(@states)
              and (l.outstanding_principal_fen <> 0 or exists (select 1 from loan_repayments r where r.loan_id = l.id))
            order by l.id limit 100
            """, ct, ("states", BeforeDisbursement));
        await tx.CommitAsync(ct);
        return new InvariantReport(problems, counts);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, conn, tx);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ListAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<string> problems, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            problems.Add(reader.GetString(0));
        }
    }
}

/// <summary>The result of <see cref="InvariantCheck"/>: the problems found (empty when all holds) and what was checked.</summary>
public sealed record InvariantReport(IReadOnlyList<string> Problems, IReadOnlyDictionary<string, long> Counts)
{
    public bool Ok => Problems.Count == 0;

    public override string ToString() =>
        (Ok ? "all invariants hold" : $"{Problems.Count} problem(s):\n  " + string.Join("\n  ", Problems))
        + "\nchecked: " + string.Join(", ", Counts.Select(c => $"{c.Key}={c.Value}"));
}
