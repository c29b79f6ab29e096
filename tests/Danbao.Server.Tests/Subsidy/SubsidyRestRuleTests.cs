using Danbao.Client;
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

    /// <summary>What icbc-gz's other settled 2025-Q3 claims of this class paid (the report covers them all).</summary>
    private async Task<long> OtherClaimsPaidFen(SubsidyClaim claim)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select coalesce(sum(paid_subsidy_fen), 0)::bigint from subsidy_claims where bank_id = 'icbc-gz' and state = 'SETTLED' and quarter_start = '2025-07-01' and id <> @claim", conn);
        cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
        return (long)(await cmd.ExecuteScalarAsync())!;
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
