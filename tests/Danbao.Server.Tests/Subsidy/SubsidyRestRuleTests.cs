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
        Assert.Equal(["PAID", "PAID", "PAID", "REJECTED"], await Decisions(claim, matching, askedMore, askedLess, rejected));

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
