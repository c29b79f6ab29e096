using Danbao.Data.Accounting;
using Npgsql;

namespace Danbao.Data.Verification;

/// <summary>
/// What must hold in a Danbao database whatever happened to the processes writing it (crashes,
/// retries, lost replies): each request took effect at most once, every write that was claimed
/// was completed in the same transaction, no write posted the same ledger transaction twice, the
/// ledger balances, each loan's outstanding principal is its amount less the principal repaid, and
/// every subsidy claim line belongs to a claim (the foreign key was dropped for speed, migration 0066), and a claim's counters of pending on-time lines are its lines' (migration 0073). Read-only; safe on a live database
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
        foreach (var table in new[] { "loans", "loan_repayments", "audit_events", "idempotency_keys", "subsidy_claim_lines" })
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
        // Lines → claims: no foreign key checks it since 0066 (a per-row check cost two thirds of a million-line
        // filing); lines are written under the claim's row lock and claims refuse deletes, so an orphan is a bug.
        await ListAsync(conn, tx, problems, """
            select format('subsidy claim line (loan %s, quarter %s) belongs to claim %s, which does not exist', l.loan_id, l.quarter_start, l.claim_id)
            from subsidy_claim_lines l
            where not exists (select 1 from subsidy_claims c where c.id = l.claim_id)
            order by l.claim_id, l.loan_id, l.quarter_start limit 100
            """, ct);
        // A settled claim's lines are paid by derivation (0070, the view subsidy_paid_lines), not rewritten: its
        // payment's statement lines must be exactly as many and add up to exactly as much.
        await ListAsync(conn, tx, problems, """
            select format('subsidy claim %s: its payment has %s lines of %s fen, its paid lines are %s of %s fen', c.id, t.n, t.fen, p.n, p.fen)
            from subsidy_claims c
            cross join lateral (select count(*) as n, coalesce(sum(amount_fen), 0) as fen from ledger_transaction_lines
                                where transaction_id = c.ledger_transaction_id) t
            cross join lateral (select count(*) as n, coalesce(sum(paid_subsidy_fen), 0) as fen from subsidy_paid_lines
                                where claim_id = c.id) p
            where c.state = 'SETTLED' and (t.n, t.fen) <> (p.n, p.fen)
            order by c.id limit 100
            """, ct);
        // A review decides the rest from the claim's counters of pending on-time lines (0073), not from the lines: they
        // must be what the lines say until the review (DRAFT, SUBMITTED), and 0 after it (the database checks the 0).
        await ListAsync(conn, tx, problems, """
            select format('subsidy claim %s (%s): its counters of pending on-time lines say MATCHES %s / %s fen, DIFFERS %s / %s fen, INELIGIBLE_DAYS %s / %s fen; its lines are %s / %s, %s / %s, %s / %s',
                          c.id, c.state, c.rest_lines_matching, c.rest_payable_matching_fen, c.rest_lines_differing, c.rest_payable_differing_fen,
                          c.rest_lines_ineligible_days, c.rest_payable_ineligible_days_fen, l.matching, l.matching_fen, l.differing, l.differing_fen,
                          l.ineligible, l.ineligible_fen)
            from subsidy_claims c
            cross join lateral (
                select count(*) filter (where flag = 'MATCHES') as matching,
                       coalesce(sum(payable_subsidy_fen) filter (where flag = 'MATCHES'), 0) as matching_fen,
                       count(*) filter (where flag = 'DIFFERS') as differing,
                       coalesce(sum(payable_subsidy_fen) filter (where flag = 'DIFFERS'), 0) as differing_fen,
                       count(*) filter (where flag = 'INELIGIBLE_DAYS') as ineligible,
                       coalesce(sum(payable_subsidy_fen) filter (where flag = 'INELIGIBLE_DAYS'), 0) as ineligible_fen
                from subsidy_claim_lines
                where claim_id = c.id and c.state in ('DRAFT', 'SUBMITTED') and decision = 'PENDING' and late_filing = 'ON_TIME') l
            where (c.rest_lines_matching, c.rest_payable_matching_fen, c.rest_lines_differing, c.rest_payable_differing_fen,
                   c.rest_lines_ineligible_days, c.rest_payable_ineligible_days_fen)
                  <> (l.matching, l.matching_fen, l.differing, l.differing_fen, l.ineligible, l.ineligible_fen)
            order by c.id limit 100
            """, ct);
        await CheckClaimSharesAsync(conn, tx, problems, counts, ct);
        await tx.CommitAsync(ct);
        return new InvariantReport(problems, counts);
    }

    /// <summary>
    /// policy.md §6, §10: every compensation and recovery posting matches the share stored at the
    /// guarantee, to the fen. A claim's share is its loan's stored share; its split is that share of
    /// the base (fund rounded down); the compensation posted is that split; the recoveries posted
    /// (before and after write-off) add up to exactly that share of everything recovered, as recorded.
    /// </summary>
    private static async Task CheckClaimSharesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<string> problems,
        Dictionary<string, long> counts, CancellationToken ct)
    {
        counts["compensation_claims"] = await ScalarAsync(conn, tx, "select count(*) from compensation_claims", ct);
        await ListAsync(conn, tx, problems, """
            select format('claim %s: fund share %s bp, but loan %s was guaranteed at %s bp', c.id, c.fund_share_bp, l.id, l.fund_risk_share_bp)
            from compensation_claims c join loans l on l.id = c.loan_id
            where l.fund_risk_share_bp is distinct from c.fund_share_bp
            order by c.id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, """
            select format('claim %s: split fund %s / bank %s fen is not %s bp of the base %s fen (fund %s, rounded down)',
                          id, fund_fen, bank_fen, fund_share_bp, base_fen, base_fen * fund_share_bp / 10000)
            from compensation_claims
            where fund_fen <> base_fen * fund_share_bp / 10000 or bank_fen <> base_fen - fund_fen
            order by id limit 100
            """, ct);
        // Debits by side of each claim's postings, by kind (each claim posting debits its own book's accounts only).
        const string Posted = """
            posted as (
                select t.cause_id as claim_id,
                       coalesce(sum(e.amount_fen) filter (where t.kind = 'compensation' and a.code like 'fund:%'), 0)::bigint as comp_fund,
                       coalesce(sum(e.amount_fen) filter (where t.kind = 'compensation' and a.code like 'bank:%'), 0)::bigint as comp_bank,
                       coalesce(sum(e.amount_fen) filter (where t.kind in ('recovery', 'recovery_after_write_off') and a.code like 'fund:%'), 0)::bigint as rec_fund,
                       coalesce(sum(e.amount_fen) filter (where t.kind in ('recovery', 'recovery_after_write_off') and a.code like 'bank:%'), 0)::bigint as rec_bank
                from ledger_transactions t
                join ledger_entries e on e.transaction_id = t.id and e.side = 'D'
                join ledger_accounts a on a.id = e.account_id
                where t.cause_type = 'claim' and t.kind in ('compensation', 'recovery', 'recovery_after_write_off')
                group by t.cause_id)
            """;
        await ListAsync(conn, tx, problems, "with " + Posted + """
            select format('claim %s (%s): compensation posted fund %s / bank %s fen, but its stored split is %s / %s fen',
                          c.id, c.state, coalesce(p.comp_fund, 0), coalesce(p.comp_bank, 0), c.fund_fen, c.bank_fen)
            from compensation_claims c left join posted p on p.claim_id = c.id
            where case when c.state in ('APPROVED', 'WRITTEN_OFF') then (coalesce(p.comp_fund, 0), coalesce(p.comp_bank, 0)) <> (c.fund_fen, c.bank_fen)
                       else coalesce(p.comp_fund, 0) + coalesce(p.comp_bank, 0) <> 0 end
            order by c.id limit 100
            """, ct);
        await ListAsync(conn, tx, problems, "with " + Posted + """
            , recovered as (
                select claim_id, sum(net_fen)::bigint as net, sum(fund_fen)::bigint as fund, sum(bank_fen)::bigint as bank
                from claim_recoveries where status = 'POSTED' group by claim_id)
            select format('claim %s: %s fen recovered at %s bp is fund %s / bank %s fen; recorded %s / %s, posted %s / %s',
                          c.id, coalesce(r.net, 0), c.fund_share_bp, coalesce(r.net, 0) * c.fund_share_bp / 10000,
                          coalesce(r.net, 0) - coalesce(r.net, 0) * c.fund_share_bp / 10000,
                          coalesce(r.fund, 0), coalesce(r.bank, 0), coalesce(p.rec_fund, 0), coalesce(p.rec_bank, 0))
            from compensation_claims c
            left join recovered r on r.claim_id = c.id
            left join posted p on p.claim_id = c.id
            where (coalesce(r.fund, 0), coalesce(r.bank, 0)) <> (coalesce(r.net, 0) * c.fund_share_bp / 10000, coalesce(r.net, 0) - coalesce(r.net, 0) * c.fund_share_bp / 10000)
               or (coalesce(p.rec_fund, 0), coalesce(p.rec_bank, 0)) <> (coalesce(r.fund, 0), coalesce(r.bank, 0))
               or c.recovered_net_fen <> coalesce(r.net, 0)
            order by c.id limit 100
            """, ct);
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
