using Danbao.Client;
using Danbao.Data.Verification;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// A review's rule for the lines it does not name (approve_all, or reject the rest) is the claim's decision: an approved
/// rest is kept on the claim, its lines read APPROVED at their payable amount and settlement pays exactly those; a
/// rejected rest is written line by line at once (a paid line stays final in the database:
/// SubsidyClaimTests.A_paid_line_is_final_in_the_database, through approve_all). The §9 loan's 2025-Q3 interest is 1,788.89, its subsidy 894.44.
/// </summary>
public sealed class SubsidyRestRuleTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_reviewed_claim_shows_its_unnamed_lines_approved_at_their_payable_amount_and_settling_pays_exactly_those()
    {
        var steps = new SubsidySteps(server);
        var (matching, askedMore, askedLess, rejected) = (await PaidQ3(steps), await PaidQ3(steps), await PaidQ3(steps), await PaidQ3(steps));
        steps.Today("2025-10-10");
        var claim = await steps.Open("2025-Q3");
        // As computed (pays 894.44); more than computed (pays 894.44); less (pays 800.00); one rejected by name.
        claim = (await steps.File(claim, (matching, 178_889, 89_444), (askedMore, 178_889, 90_000), (askedLess, 178_889, 80_000), (rejected, 178_889, 89_444))).Claim;
        claim = await steps.Submit(claim);
        claim = await steps.Review(claim, approveAll: true,
            new SubsidyLineReview { Loan = rejected.Name, Approve = false, Reason = "borrower not employed in Guangzhou" });

        Assert.Equal(SubsidyClaimState.SubsidyClaimReviewed, claim.State);
        Assert.Equal((3, 1, 89_444L + 89_444 + 80_000), (claim.LinesApproved, claim.LinesRejected, claim.ApprovedSubsidyFen));
        var lines = await Lines(steps, claim);
        Assert.Equal((SubsidyLineDecision.SubsidyLineApproved, 89_444L), (lines[matching.Name].Decision, lines[matching.Name].ApprovedSubsidyFen));
        Assert.Equal((SubsidyLineDecision.SubsidyLineApproved, 89_444L), (lines[askedMore.Name].Decision, lines[askedMore.Name].ApprovedSubsidyFen));
        Assert.Equal((SubsidyLineDecision.SubsidyLineApproved, 80_000L), (lines[askedLess.Name].Decision, lines[askedLess.Name].ApprovedSubsidyFen));
        Assert.Equal((SubsidyLineDecision.SubsidyLineRejected, 0L, "borrower not employed in Guangzhou"),
            (lines[rejected.Name].Decision, lines[rejected.Name].ApprovedSubsidyFen, lines[rejected.Name].RejectionReason));
        // The approval of the rest is the claim's: no line row was rewritten for it.
        Assert.Equal(["PENDING", "PENDING", "PENDING", "REJECTED"],
            await Decisions(claim, matching, askedMore, askedLess, rejected));

        claim = await steps.Settle(claim, "2025-10-10");
        Assert.Equal((89_444L + 89_444 + 80_000, 3), (claim.PaidSubsidyFen, claim.LinesApproved));
        Assert.Equal(new Dictionary<string, long> { [Id(matching)] = 89_444, [Id(askedMore)] = 89_444, [Id(askedLess)] = 80_000 },
            await LedgerLines(claim));
        lines = await Lines(steps, claim);
        Assert.Equal([SubsidyLineDecision.SubsidyLinePaid, SubsidyLineDecision.SubsidyLinePaid, SubsidyLineDecision.SubsidyLinePaid, SubsidyLineDecision.SubsidyLineRejected],
            new[] { matching, askedMore, askedLess, rejected }.Select(l => lines[l.Name].Decision));
        // Paid by the claim's settlement, not by rewriting the rows: they are as the review left them, and final.
        Assert.Equal(["PENDING", "PENDING", "PENDING", "REJECTED"], await Decisions(claim, matching, askedMore, askedLess, rejected));
        var report = await steps.Finance.Subsidy.GetSubsidySettlementReportAsync(new GetSubsidySettlementReportRequest { Quarter = "2025-Q3" });
        Assert.Equal(89_444L + 89_444 + 80_000, report.ByBank.Single(b => b.Key == "icbc-gz").SubsidyFen - await OtherClaimsPaidFen(claim));

        // A paid loan-quarter is never claimed again; the line rejected by name can be filed again.
        var again = await steps.Open("2025-Q3");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(again, (askedLess, 178_889, 80_000)));
        Assert.Equal(("SUBSIDY_LINE_EXISTS", StatusCode.AlreadyExists), (ex.Reason(), ex.StatusCode));
        Assert.Equal(SubsidyLineFlag.SubsidyLineMatches, Assert.Single((await steps.File(again, (rejected, 178_889, 89_444))).Lines).Flag);
    }

    [Fact]
    public async Task Without_approve_all_the_unnamed_lines_are_rejected_at_once_and_a_corrected_line_can_be_filed()
    {
        var steps = new SubsidySteps(server);
        var (approved, unnamed) = (await PaidQ3(steps), await PaidQ3(steps));
        steps.Today("2025-10-11");
        var claim = await steps.Open("2025-Q3");
        claim = (await steps.File(claim, (approved, 178_889, 89_444), (unnamed, 178_889, 90_000))).Claim;
        claim = await steps.Review(await steps.Submit(claim), approveAll: false, new SubsidyLineReview { Loan = approved.Name, Approve = true });

        Assert.Equal((1, 1, 89_444L), (claim.LinesApproved, claim.LinesRejected, claim.ApprovedSubsidyFen));
        var lines = await Lines(steps, claim);
        Assert.Equal((SubsidyLineDecision.SubsidyLineRejected, 0L, "NOT_APPROVED"),
            (lines[unnamed.Name].Decision, lines[unnamed.Name].ApprovedSubsidyFen, lines[unnamed.Name].RejectionReason));
        Assert.Equal(["APPROVED", "REJECTED"], await Decisions(claim, approved, unnamed));
        // Rejected in the database at once: the loan's quarter is free for a corrected line before any settlement.
        var corrected = await steps.Open("2025-Q3");
        Assert.Equal(SubsidyLineFlag.SubsidyLineMatches, Assert.Single((await steps.File(corrected, (unnamed, 178_889, 89_444))).Lines).Flag);

        claim = await steps.Settle(claim, "2025-10-11");
        Assert.Equal(new Dictionary<string, long> { [Id(approved)] = 89_444 }, await LedgerLines(claim));
    }

    [Fact]
    public async Task No_line_of_a_settled_claim_changes_in_the_database_though_its_row_still_says_pending()
    {
        var steps = new SubsidySteps(server);
        var (paid, rejected) = (await PaidQ3(steps), await PaidQ3(steps));
        steps.Today("2025-10-12");
        var claim = (await steps.File(await steps.Open("2025-Q3"), (paid, 178_889, 89_444), (rejected, 178_889, 89_444))).Claim;
        claim = await steps.Review(await steps.Submit(claim), approveAll: true, new SubsidyLineReview { Loan = rejected.Name, Approve = false, Reason = "duplicate" });
        var id = claim.Name["subsidyClaims/".Length..];
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        // Reviewed, not settled: a line may still change (here: nothing at all).
        await Execute(conn, "update subsidy_claim_lines set decision = decision where claim_id = @claim", id);
        claim = await steps.Settle(claim, "2025-10-12");
        foreach (var (sql, loan) in new[]
        {
            // Rejecting the paid line would free its loan's quarter for a second payment; a new amount would differ from the payment.
            ("update subsidy_claim_lines set decision = 'REJECTED', rejection_reason = 'x' where claim_id = @claim and loan_id = @loan", paid),
            ("update subsidy_claim_lines set payable_subsidy_fen = 1 where claim_id = @claim and loan_id = @loan", paid),
            // A rejected line of a settled claim made pending again would be paid by the claim's approved rest.
            ("update subsidy_claim_lines set decision = 'PENDING', rejection_reason = null where claim_id = @claim and loan_id = @loan", rejected),
        })
        {
            var ex = await Assert.ThrowsAsync<PostgresException>(async () => await Execute(conn, sql, id, Id(loan)));
            Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
            Assert.Contains("is paid and final: its claim is settled", ex.MessageText, StringComparison.Ordinal);
        }
        // Nor does a line move out of a claim, or into one.
        var moved = await Assert.ThrowsAsync<PostgresException>(async () =>
            await Execute(conn, "update subsidy_claim_lines set claim_id = 'CNOSUCHCLAIM0' where claim_id = @claim and loan_id = @loan", id, Id(rejected)));
        Assert.Contains("cannot move to claim", moved.MessageText, StringComparison.Ordinal);
        var lines = await Lines(steps, claim);
        Assert.Equal((SubsidyLineDecision.SubsidyLinePaid, 89_444L), (lines[paid.Name].Decision, lines[paid.Name].ApprovedSubsidyFen));
        Assert.Equal(SubsidyLineDecision.SubsidyLineRejected, lines[rejected.Name].Decision);
    }

    [Fact]
    public async Task An_approved_rest_is_counted_from_the_claims_counters_of_pending_on_time_lines_kept_since_filing()
    {
        var steps = new SubsidySteps(server);
        var (m1, m2, d1, d2, i1) = (await PaidQ3(steps), await PaidQ3(steps), await PaidQ3(steps), await PaidQ3(steps), await PaidQ3TenDaysLate(steps));
        var late = await PaidQ2(steps);
        steps.Today("2025-10-13");
        var claim = await steps.Open("2025-Q3");
        // MATCHES 894.44 twice; DIFFERS asking 900.00 (pays 894.44) and 800.00 (pays 800.00); INELIGIBLE_DAYS (9 overdue days,
        // asking 991.67, pays 904.17 for 93 of 102 days); and a late Q2 line, which the rule never covers.
        var filed = await steps.File(claim, (m1, 178_889, 89_444), (m2, 178_889, 89_444), (d1, 178_889, 90_000), (d2, 178_889, 80_000), (i1, 198_333, 99_167));
        Assert.Equal([Matches, Matches, Differs, Differs, Ineligible], filed.Lines.Select(l => l.Flag));
        claim = (await steps.FileLate(filed.Claim, "2025-Q2", (late, "core banking migration in July"))).Claim;
        Assert.Equal(new RestCounters(2, 178_888, 2, 169_444, 1, 90_417), await Counters(claim));

        claim = await steps.Review(await steps.Submit(claim), approveAll: true,
            new SubsidyLineReview { Loan = m2.Name, Approve = false, Reason = "duplicate" },
            new SubsidyLineReview { Loan = d2.Name, Approve = true },
            new SubsidyLineReview { Loan = late.Name, Quarter = "2025-Q2", Approve = true });

        // By name: m2 rejected, d2 and the late line approved; by the rule: m1, d1, i1 at their payable amounts.
        Assert.Equal((5, 1, 0, 89_444L + 89_444 + 90_417 + 80_000 + 89_444), (claim.LinesApproved, claim.LinesRejected, claim.LinesLatePending, claim.ApprovedSubsidyFen));
        Assert.Equal(new RestCounters(0, 0, 0, 0, 0, 0), await Counters(claim));
        Assert.Equal(["PENDING", "REJECTED", "PENDING", "APPROVED", "PENDING"], await Decisions(claim, m1, m2, d1, d2, i1));
        claim = await steps.Settle(claim, "2025-10-13");
        Assert.Equal(new Dictionary<string, long> { [Id(m1)] = 89_444, [Id(d1)] = 89_444, [Id(d2)] = 80_000, [Id(i1)] = 90_417, [Id(late)] = 89_444 },
            await LedgerLines(claim));
        Assert.Equal(438_749, claim.PaidSubsidyFen);
    }

    [Fact]
    public async Task A_rejected_rest_rejects_as_many_lines_as_the_claims_counters_say_are_pending_on_time()
    {
        var steps = new SubsidySteps(server);
        var (named, m, d, i) = (await PaidQ3(steps), await PaidQ3(steps), await PaidQ3(steps), await PaidQ3TenDaysLate(steps));
        var late = await PaidQ2(steps);
        steps.Today("2025-10-14");
        var claim = (await steps.File(await steps.Open("2025-Q3"), (named, 178_889, 80_000), (m, 178_889, 89_444), (d, 178_889, 90_000), (i, 198_333, 99_167))).Claim;
        claim = (await steps.FileLate(claim, "2025-Q2", (late, "staff shortage"))).Claim;
        Assert.Equal(new RestCounters(1, 89_444, 2, 169_444, 1, 90_417), await Counters(claim));

        claim = await steps.Review(await steps.Submit(claim), approveAll: false,
            new SubsidyLineReview { Loan = named.Name, Approve = true },
            new SubsidyLineReview { Loan = late.Name, Quarter = "2025-Q2", Approve = false, Reason = "no cause for missing the window" });

        Assert.Equal((1, 4, 80_000L), (claim.LinesApproved, claim.LinesRejected, claim.ApprovedSubsidyFen));
        Assert.Equal(new RestCounters(0, 0, 0, 0, 0, 0), await Counters(claim));
        Assert.Equal(["APPROVED", "REJECTED", "REJECTED", "REJECTED", "REJECTED"], await Decisions(claim, named, m, d, i, late));
        var lines = await Lines(steps, claim);
        Assert.Equal(["NOT_APPROVED", "NOT_APPROVED", "NOT_APPROVED", "no cause for missing the window"],
            new[] { m, d, i, late }.Select(l => lines[l.Name].RejectionReason));
    }

    [Fact]
    public async Task A_counter_of_pending_on_time_lines_that_drifted_from_the_lines_is_reported_by_verify_and_stops_a_rejected_rest()
    {
        var steps = new SubsidySteps(server);
        var (m, d) = (await PaidQ3(steps), await PaidQ3(steps));
        steps.Today("2025-10-15");
        var claim = await steps.Submit((await steps.File(await steps.Open("2025-Q3"), (m, 178_889, 89_444), (d, 178_889, 90_000))).Claim);
        var id = claim.Name["subsidyClaims/".Length..];
        await using var dataSource = NpgsqlDataSource.Create(server.Database.ConnectionString);
        Assert.DoesNotContain((await InvariantCheck.RunAsync(dataSource)).Problems, p => p.Contains(id, StringComparison.Ordinal));

        // More pending DIFFERS lines than the claim has DIFFERS lines: the database refuses it.
        await using var conn = await dataSource.OpenConnectionAsync();
        var over = await Assert.ThrowsAsync<PostgresException>(async () => await Execute(conn, "update subsidy_claims set rest_lines_differing = 2 where id = @claim", id));
        Assert.Equal(("23514", "subsidy_claims_rest_counters_within_flags"), (over.SqlState, over.ConstraintName));
        // Planted: the DIFFERS line forgotten by the counters.
        await Execute(conn, "update subsidy_claims set rest_lines_differing = 0, rest_payable_differing_fen = 0 where id = @claim", id);
        Assert.Contains($"subsidy claim {id} (SUBMITTED): its counters of pending on-time lines say MATCHES 1 / 89444 fen, DIFFERS 0 / 0 fen, INELIGIBLE_DAYS 0 / 0 fen; its lines are 1 / 89444, 1 / 89444, 0 / 0",
            (await InvariantCheck.RunAsync(dataSource)).Problems);
        // Rejecting the rest updates the lines and finds one more than the counters say: nothing is written.
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Review(claim, approveAll: false));
        Assert.Equal(StatusCode.Internal, refused.StatusCode);
        Assert.Equal(["PENDING", "PENDING"], await Decisions(claim, m, d));

        // Put right, the review goes through; from then on the database holds the counters at 0.
        await Execute(conn, "update subsidy_claims set rest_lines_differing = 1, rest_payable_differing_fen = 89444 where id = @claim", id);
        claim = await steps.Review(claim, approveAll: false);
        Assert.Equal((0, 2), (claim.LinesApproved, claim.LinesRejected));
        Assert.DoesNotContain((await InvariantCheck.RunAsync(dataSource)).Problems, p => p.Contains(id, StringComparison.Ordinal));
        var left = await Assert.ThrowsAsync<PostgresException>(async () => await Execute(conn, "update subsidy_claims set rest_lines_matching = 1 where id = @claim", id));
        Assert.Equal(("23514", "subsidy_claims_rest_counters_empty_after_review"), (left.SqlState, left.ConstraintName));
    }

    private static async Task Execute(NpgsqlConnection conn, string sql, string claimId, string? loanId = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("claim", claimId);
        if (loanId is not null)
        {
            cmd.Parameters.AddWithValue("loan", loanId);
        }
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>What icbc-gz's other settled claims of this class paid for 2025-Q3 lines (the report covers them all; a late line is its own quarter's).</summary>
    private async Task<long> OtherClaimsPaidFen(SubsidyClaim claim)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select coalesce(sum(paid_subsidy_fen), 0)::bigint from subsidy_paid_lines where bank_id = 'icbc-gz' and quarter_start = '2025-07-01' and claim_id <> @claim", conn);
        cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static readonly SubsidyLineFlag Matches = SubsidyLineFlag.SubsidyLineMatches;
    private static readonly SubsidyLineFlag Differs = SubsidyLineFlag.SubsidyLineDiffers;
    private static readonly SubsidyLineFlag Ineligible = SubsidyLineFlag.SubsidyLineIneligibleDays;

    /// <summary>A claim's counters of pending on-time lines (migration 0073): MATCHES, DIFFERS, INELIGIBLE_DAYS, each lines and payable fen.</summary>
    private sealed record RestCounters(int Matching, long MatchingFen, int Differing, long DifferingFen, int Ineligible, long IneligibleFen);

    private async Task<RestCounters> Counters(SubsidyClaim claim)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            select rest_lines_matching, rest_payable_matching_fen, rest_lines_differing, rest_payable_differing_fen,
                   rest_lines_ineligible_days, rest_payable_ineligible_days_fen
            from subsidy_claims where id = @claim
            """, conn);
        cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return new RestCounters(r.GetInt32(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), r.GetInt64(5));
    }

    /// <summary>A §9 loan whose 2025-Q3 interest was paid ten days after its due date: 2025-06-20 … 2025-09-30, 102 days = 1,983.33.</summary>
    private static async Task<Loan> PaidQ3TenDaysLate(SubsidySteps steps)
    {
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 198_333, "2025-09-30");
        return loan;
    }

    /// <summary>A §9 loan disbursed 2025-03-20 whose 2025-Q2 interest (92 days, 1,788.89) was paid on its due date.</summary>
    private static async Task<Loan> PaidQ2(SubsidySteps steps)
    {
        var loan = await steps.Disbursed("2025-03-01", "2025-03-20");
        await steps.Loans.Repay(loan, 178_889, "2025-06-20");
        return loan;
    }

    /// <summary>A §9 loan whose 2025-Q3 interest (1,788.89) was paid on its due date.</summary>
    private static async Task<Loan> PaidQ3(SubsidySteps steps)
    {
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        return loan;
    }

    private static string Id(Loan loan) => loan.Name["loans/".Length..];

    private static async Task<Dictionary<string, SubsidyClaimLine>> Lines(SubsidySteps steps, SubsidyClaim claim) =>
        (await steps.Finance.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines.ToDictionary(l => l.Loan);

    /// <summary>The decision each loan's row stores, in the order given.</summary>
    private async Task<string[]> Decisions(SubsidyClaim claim, params Loan[] loans)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select decision from unnest(@loans) with ordinality as k(loan_id, n) join subsidy_claim_lines l using (loan_id) where l.claim_id = @claim order by k.n", conn);
        cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
        cmd.Parameters.AddWithValue("loans", loans.Select(Id).ToArray());
        var decisions = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            decisions.Add(r.GetString(0));
        }
        return [.. decisions];
    }

    /// <summary>The settlement's statement lines: loan → amount.</summary>
    private async Task<Dictionary<string, long>> LedgerLines(SubsidyClaim claim)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select subject_id, amount_fen from ledger_transaction_lines where transaction_id = @t", conn);
        cmd.Parameters.AddWithValue("t", claim.LedgerTransactionId);
        var lines = new Dictionary<string, long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            lines.Add(r.GetString(0), r.GetInt64(1));
        }
        return lines;
    }
}
