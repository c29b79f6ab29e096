using System.Diagnostics;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Server.Tests;

/// <summary>
/// Round trips to PostgreSQL per call for the stores on the request's session (awards, programme report,
/// identity, policy), counted from Npgsql's activities for this class's database (one per command or batch;
/// COMMIT is not one). The server's clock is manual, so no credential or reference cache expires mid-call.
/// </summary>
public sealed class SessionRoundTripTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task An_award_proposal_reads_lending_decided_awards_and_recipients_in_one_round_trip()
    {
        await SeedLoanAsync("L0TRIPS0000001", "icbc-gz", 100_000_000_00, "2026-03-01");
        var finance = await Warm(server.As("gz-finance"));
        var (trips, proposal) = await Count(() => finance.Awards.ProposeAwardsAsync(new ProposeAwardsRequest
        {
            Year = 2026, Region = "CN-GD-GZ",
            Scores = { new AwardScore { Institution = "institutions/icbc-gz", ScoreBp = 10_000 } },
        }).ResponseAsync);
        Assert.Equal(100_000_000_00, proposal.NewLendingFen);
        Assert.Equal(1, trips);
    }

    [Fact]
    public async Task An_award_approval_claims_locks_and_loads_in_one_round_trip_and_stores_allocation_audit_and_reply_in_one()
    {
        await SeedLoanAsync("L0TRIPS0000002", "ccb-gz", 100_000_000_00, "2025-03-01");
        var finance = await Warm(server.As("gz-finance"));
        var statements = new List<string>();
        var (trips, approved) = await Count(() => finance.Awards.ApproveAwardsAsync(new ApproveAwardsRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Year = 2025, Region = "CN-GD-GZ", BusinessDate = "2026-03-01",
            Awards = { new AwardAmount { Institution = "institutions/ccb-gz", AmountFen = 1_000_00, ScoreBp = 10_000 } },
        }).ResponseAsync, statements);
        Assert.True(approved.LedgerTransactionId > 0);
        // The load (claim, year lock, lending, decided awards, recipient rule, institution kinds); the ledger's accounts
        // (one batch) and posting (a session query: its id goes into the allocation); the allocation, audit
        // event and stored reply. COMMIT is not counted.
        Assert.Equal(4, trips);
        Assert.StartsWith("insert into idempotency_keys", statements[0]);
        Assert.Contains("pg_advisory_xact_lock", statements[0]);
        Assert.Contains("from award_recipient_kinds", statements[0]);
        Assert.Contains("insert into ledger_accounts", statements[1]);
        Assert.StartsWith("with a as ( insert into award_allocations", statements[3]);
        Assert.Contains("update idempotency_keys set response", statements[3]);
    }

    [Fact]
    public async Task A_fund_overview_reads_its_balances_pipeline_and_movements_in_one_round_trip_after_the_fund_look_up()
    {
        var fund = await Warm(server.As("gz-fund"));
        var (trips, overview) = await Count(() => fund.Fund.GetFundOverviewAsync(new GetFundOverviewRequest { Fund = "institutions/gz-fund" }).ResponseAsync);
        Assert.Equal("institutions/gz-fund", overview.Fund);
        // The fund's institution row, then every figure in one batch (was 7 round trips, then 4).
        Assert.Equal(2, trips);
    }

    [Fact]
    public async Task A_bank_reconciliation_reads_every_figure_in_one_round_trip_after_the_bank_look_up()
    {
        var fund = await Warm(server.As("gz-fund"));
        var (trips, reconciliation) = await Count(() => fund.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
        {
            Bank = "institutions/icbc-gz", FromDate = "2025-01-01", ToDate = "2025-12-31",
        }).ResponseAsync);
        Assert.Equal("institutions/icbc-gz", reconciliation.Bank);
        // The bank's institution row, then the opening and period movements, claims filed and paid and their postings (was 6).
        Assert.Equal(2, trips);
    }

    [Fact]
    public async Task A_programme_report_is_one_round_trip()
    {
        var hrss = await Warm(server.As("gz-hrss"));
        var (trips, _) = await Count(() => hrss.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Period = "2025-H1" }).ResponseAsync);
        Assert.Equal(1, trips);
    }

    [Fact]
    public async Task Creating_an_api_key_claims_with_its_load_and_stores_key_audit_and_reply_in_one_round_trip()
    {
        var admin = await Warm(server.As("admin"));
        var (trips, created) = await Count(() => admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/gzrcb", Description = "round trips",
        }).ResponseAsync);
        Assert.Equal(2, trips);

        // Authentication with the new key: one look-up on the first call (a read session: one open, one query), none after.
        var bank = server.WithKey(created.Secret);
        var (first, _) = await Count(() => bank.Identity.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var (second, _) = await Count(() => bank.Identity.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        Assert.Equal((1, 0), (first, second));

        var (revoke, _) = await Count(() => admin.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = created.Key.Name,
        }).ResponseAsync);
        Assert.Equal(2, revoke);
    }

    [Fact]
    public async Task A_list_of_institutions_and_a_policy_write_are_one_round_trip_each_after_the_claim()
    {
        var admin = await Warm(server.As("admin"));
        var (list, page) = await Count(() => admin.Identity.ListInstitutionsAsync(new ListInstitutionsRequest { PageSize = 5 }).ResponseAsync);
        Assert.Equal(5, page.Institutions.Count);
        Assert.Equal(1, list);
        var statements = new List<string>();
        var (load, _) = await Count(() => admin.Policy.LoadCalendarYearAsync(new LoadCalendarYearRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Calendar = new CalendarYear { Year = 2031, DaysOff = { "2031-01-01" }, MakeupWorkingDays = { "2031-01-04" } },
        }).ResponseAsync, statements);
        output.WriteLine(string.Join("\n", statements));
        // The claim; the year with its days, the audit event and the stored reply; the reference data's reload (one batch).
        Assert.Equal(3, load);
        var (get, year) = await Count(() => admin.Policy.GetCalendarYearAsync(new GetCalendarYearRequest { Year = 2031 }).ResponseAsync);
        Assert.Equal(1, get);
        Assert.Equal(["2031-01-01"], year.DaysOff);
        Assert.Equal(["2031-01-04"], year.MakeupWorkingDays);
    }

    /// <summary>One call first, so that the key is in the credential cache and the reference data loaded.</summary>
    private static async Task<DanbaoClient> Warm(DanbaoClient client)
    {
        await client.Identity.WhoAmIAsync(new WhoAmIRequest());
        await client.Policy.ListLprRatesAsync(new ListLprRatesRequest());
        return client;
    }

    private async Task SeedLoanAsync(string id, string bank, long amountFen, string disbursed)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            insert into loans (id, bank_id, region_code, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee,
                disbursement_date, outstanding_principal_fen)
            values (@id, @bank, 'CN-GD-GZ', 'CURRENT', 'ENTERPRISE', '{}', '\x00', @ix, @amount, 24, 350, 'BULLET',
                @on::date - 20, @on::date - 30, true, @on::date, @amount)
            on conflict (id) do nothing
            """, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("bank", bank);
        cmd.Parameters.AddWithValue("ix", System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        cmd.Parameters.AddWithValue("amount", amountFen);
        cmd.Parameters.AddWithValue("on", DateOnly.Parse(disbursed, System.Globalization.CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_repayment_is_a_load_and_one_batch_and_its_statements_are_traced_under_its_call_though_its_group_runs_them()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        await Warm(steps.Bank);
        var statements = new List<string>();
        var traced = new List<bool>();
        var (trips, reply) = await Count(() => steps.Bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, AmountFen = 500_000, PaidDate = "2025-09-20",
        }).ResponseAsync, statements, traced);
        Assert.Equal(178_889, reply.InterestFen);
        // The loan locked with its repayments, the ledger's guarantee and the request id's check; then the repayment,
        // the release of guaranteed principal, the loan, the audit event and the stored reply. COMMIT is not counted.
        Assert.Equal(2, trips);
        Assert.Contains("for update", statements[0]);
        Assert.Contains("from idempotency_keys", statements[0]);
        Assert.StartsWith("insert into loan_repayments", statements[1]);
        Assert.Contains("insert into idempotency_keys", statements[1]);
        // Each under the call's server span (the group's lane has no span of its own).
        Assert.Equal([true, true], traced);
    }

    [Fact]
    public async Task A_kept_loan_is_answered_after_one_version_read_traced_under_the_call_though_a_lane_runs_it()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        await Warm(steps.Bank);
        var first = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }); // kept now
        var statements = new List<string>();
        var traced = new List<bool>();
        var (trips, again) = await Count(() => steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }).ResponseAsync, statements, traced);
        Assert.Equal(first, again);
        Assert.Equal(1, trips);
        Assert.Equal("select id, version from loans where id = any($1)", statements[0]);
        Assert.Equal([true], traced);
    }

    [Fact]
    public async Task A_page_of_loans_whose_replies_are_kept_is_one_round_trip_that_reads_only_their_keys()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        await Warm(steps.Bank);
        var request = new ListLoansRequest { PageSize = 5 };
        // Cold: the page's keys, then the rows and repayments of the loans with no kept reply.
        await steps.Bank.Loans.ListLoansAsync(request); // whatever an earlier test left kept, this keeps the page
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var bump = new NpgsqlCommand("update loans set version = version + 1 where id = $1", conn);
            bump.Parameters.Add(new NpgsqlParameter { Value = loan.Name["loans/".Length..] });
            Assert.Equal(1, await bump.ExecuteNonQueryAsync());
        }
        var cold = new List<string>();
        var (coldTrips, coldPage) = await Count(() => steps.Bank.Loans.ListLoansAsync(request).ResponseAsync, cold);
        Assert.Equal(2, coldTrips);
        Assert.StartsWith("select id, version, created_at from loans", cold[0]);
        Assert.StartsWith("select id, bank_id", cold[1]);
        Assert.Contains("where id = any($1)", cold[1]);
        Assert.Contains("from loan_repayments", cold[1]);

        // Warm: every reply of the page is kept at its version, so the keys are all PostgreSQL sends.
        var warm = new List<string>();
        var (warmTrips, warmPage) = await Count(() => steps.Bank.Loans.ListLoansAsync(request).ResponseAsync, warm);
        Assert.Equal(1, warmTrips);
        Assert.StartsWith("select id, version, created_at from loans", warm[0]);
        Assert.Equal(coldPage, warmPage);
        Assert.Contains(warmPage.Loans, l => l.Name == loan.Name);
    }

    /// <param name="traced">Whether each statement's span has the call's server span (ASP.NET Core's) among its parents.</param>
    private async Task<(int Trips, T Reply)> Count<T>(Func<Task<T>> call, List<string>? statements = null, List<bool>? traced = null)
    {
        var database = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString).Database;
        var seen = new List<string>();
        var underCall = new List<bool>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName)?.ToString() ?? "";
                // Npgsql 10 names the database db.namespace; the host's health check (select 1) runs beside the call.
                // A physical connection opened by the pool (CONNECT) is not a statement of the call.
                if (activity.Source.Name == "Npgsql" && Equals(activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name"), database)
                    && text != "select 1" && !text.StartsWith("CONNECT", StringComparison.Ordinal))
                {
                    var parent = activity.Parent;
                    while (parent is not null && parent.Source.Name != "Microsoft.AspNetCore")
                    {
                        parent = parent.Parent;
                    }
                    lock (seen)
                    {
                        seen.Add(string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)));
                        underCall.Add(parent is not null);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var reply = await call();
        lock (seen)
        {
            output.WriteLine($"{seen.Count} round trips:\n  " + string.Join("\n  ", seen.Select(s => s[..Math.Min(160, s.Length)])));
            statements?.AddRange(seen);
            traced?.AddRange(underCall);
            return (seen.Count, reply);
        }
    }
}
