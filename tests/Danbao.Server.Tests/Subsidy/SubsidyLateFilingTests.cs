using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>Late filing, claw-back and pass-through (policy.md §5), and what another bank learns of a loan: nothing.</summary>
public sealed class SubsidyLateFilingTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_line_for_another_banks_loan_gets_the_same_answer_whether_that_loan_was_claimed_or_not_or_does_not_exist()
    {
        var steps = new SubsidySteps(server);
        var claimed = await steps.Disbursed();
        var unclaimed = await steps.Disbursed();
        foreach (var loan in new[] { claimed, unclaimed })
        {
            await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        }
        steps.Today("2025-10-20");
        await steps.File(await steps.Open("2025-Q3"), (claimed, 178_889, 89_444));

        var ccb = server.As("ccb-gz");
        var foreign = await steps.Open("2025-Q3", ccb);
        var missing = new Loan { Name = "loans/L0000000000000000000000" };
        var lines = (await SubsidySteps.File(ccb, foreign, (claimed, 178_889, 89_444), (unclaimed, 178_889, 89_444), (missing, 178_889, 89_444))).Lines;
        Assert.Equal(3, lines.Count);
        var answers = lines.Select(l => (l.Flag, l.NotPayableReason, l.Decision, l.RejectionReason, l.ExpectedSubsidyFen, l.Days, l.PeriodStartDate,
            Message: l.Message.Replace(l.Loan, "loans/X", StringComparison.Ordinal))).Distinct().ToArray();
        var answer = Assert.Single(answers);
        Assert.Equal((SubsidyLineFlag.SubsidyLineNotPayable, "LOAN_NOT_THIS_BANKS", SubsidyLineDecision.SubsidyLineRejected, "loans/X is not a loan of ccb-gz"),
            (answer.Flag, answer.NotPayableReason, answer.Decision, answer.Message));
    }

    [Fact]
    public async Task A_late_line_needs_a_reason_and_the_bureau_accepts_or_refuses_each_then_claws_back_and_the_bank_credits_the_borrower()
    {
        var steps = new SubsidySteps(server);
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        foreach (var loan in new[] { a, b })
        {
            await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        }
        // The bank missed October 2025: it files its Q3 lines in the Q4 claim, in January 2026.
        steps.Today("2026-01-08");
        var claim = await steps.Open("2025-Q4");
        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await FileLate(steps, claim, (a, "")));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Contains(noReason.FieldViolations(), v => v.Field == "lines[0].late_reason");

        var filed = await FileLate(steps, claim, (a, "core banking migration in October"), (b, "staff shortage"));
        Assert.All(filed.Lines, l => Assert.Equal(("2025-Q3", "PENDING", SubsidyLineFlag.SubsidyLineMatches, 92, 89_444L),
            (l.Quarter, l.LateFiling, l.Flag, l.Days, l.ExpectedSubsidyFen)));
        Assert.Equal((2, 2), (filed.Claim.LinesLate, filed.Claim.LinesLatePending));

        // approve_all never covers a late line: the bureau names each one.
        var submitted = await steps.Submit(filed.Claim);
        var undecided = await Assert.ThrowsAsync<RpcException>(async () => await steps.Review(submitted, approveAll: true));
        Assert.Equal("SUBSIDY_LATE_LINE_UNDECIDED", undecided.Reason());
        var reviewed = await steps.Review(submitted, false,
            new SubsidyLineReview { Loan = a.Name, Quarter = "2025-Q3", Approve = true },
            new SubsidyLineReview { Loan = b.Name, Quarter = "2025-Q3", Approve = false, Reason = "no cause for missing the window" });
        Assert.Equal((1, 1, 0, 89_444L), (reviewed.LinesApproved, reviewed.LinesRejected, reviewed.LinesLatePending, reviewed.ApprovedSubsidyFen));
        var lines = (await steps.Finance.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines.ToDictionary(l => l.Loan);
        Assert.Equal(("ACCEPTED", SubsidyLineDecision.SubsidyLineApproved), (lines[a.Name].LateFiling, lines[a.Name].Decision));
        Assert.Equal(("REFUSED", "no cause for missing the window", "staff shortage"), (lines[b.Name].LateFiling, lines[b.Name].RejectionReason, lines[b.Name].LateReason));
        var settled = await steps.Settle(reviewed, "2026-01-08");
        Assert.Equal(89_444, settled.PaidSubsidyFen);

        // Claw-back of 100.00 paid in error: a reversing posting against the bank; the line stays as it was.
        var early = await Assert.ThrowsAsync<RpcException>(async () => await ClawBack(steps, claim, a, 10_000, "2026-01-07"));
        Assert.Equal("DATE_BEFORE_PREVIOUS_EVENT", early.Reason());
        var clawback = await ClawBack(steps, claim, a, 10_000, "2026-01-08");
        Assert.Equal((10_000L, 10_000L, 89_444L), (clawback.AmountFen, clawback.ClaimAfter.ClawedBackFen, clawback.ClaimAfter.PaidSubsidyFen));
        var line = (await steps.Finance.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines.Single(l => l.Loan == a.Name);
        Assert.Equal((SubsidyLineDecision.SubsidyLinePaid, 89_444L), (line.Decision, line.ApprovedSubsidyFen));
        Assert.Equal([("D", "bank:icbc-gz:subsidy_payable", 10_000L), ("C", "finance:gz-finance:subsidy_expense", 10_000L)], await Legs(clawback.LedgerTransactionId));
        var above = await Assert.ThrowsAsync<RpcException>(async () => await ClawBack(steps, claim, a, 79_445, "2026-01-08"));
        Assert.Equal("SUBSIDY_CLAWBACK_ABOVE_PAID", above.Reason());
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await ClawBack(steps, claim, b, 1, "2026-01-08"));
        Assert.Equal("SUBSIDY_LINE_NOT_PAID", refused.Reason());

        // Pass-through: the bank credits the borrower what it keeps (894.44 − 100.00), once, not before settlement.
        var before = await Assert.ThrowsAsync<RpcException>(async () => await PassThrough(steps, claim, a, "2026-01-07"));
        Assert.Equal("SUBSIDY_PASS_THROUGH_BEFORE_SETTLEMENT", before.Reason());
        var passed = await PassThrough(steps, claim, a, "2026-01-08");
        Assert.Equal((79_444L, "2026-01-08"), (passed.Lines[0].AmountFen, passed.Lines[0].CreditedDate));
        Assert.Equal(79_444, passed.Claim.PassedThroughFen);
        Assert.Equal([("D", "bank:icbc-gz:subsidy_payable", 79_444L), ("C", "bank:icbc-gz:subsidy_passed_through", 79_444L)], await Legs(passed.Lines[0].LedgerTransactionId));
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await PassThrough(steps, claim, a, "2026-01-08"));
        Assert.Equal("SUBSIDY_PASS_THROUGH_RECORDED", twice.Reason());
    }

    private static Task<AddSubsidyClaimLinesResponse> FileLate(SubsidySteps steps, SubsidyClaim claim, params (Loan Loan, string Reason)[] lines) =>
        steps.FileLate(claim, "2025-Q3", lines);

    private static Task<SubsidyClawback> ClawBack(SubsidySteps steps, SubsidyClaim claim, Loan loan, long amountFen, string on) =>
        steps.Finance.Subsidy.ClawBackSubsidyLineAsync(new ClawBackSubsidyLineRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name, Loan = loan.Name, Quarter = "2025-Q3",
            AmountFen = amountFen, Reason = "interest record corrected after audit", BusinessDate = on,
        }).ResponseAsync;

    private static Task<RecordSubsidyPassThroughResponse> PassThrough(SubsidySteps steps, SubsidyClaim claim, Loan loan, string on)
    {
        var request = new RecordSubsidyPassThroughRequest { RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name };
        request.Lines.Add(new SubsidyPassThroughInput { Loan = loan.Name, Quarter = "2025-Q3", CreditedDate = on });
        return steps.Bank.Subsidy.RecordSubsidyPassThroughAsync(request).ResponseAsync;
    }

    private async Task<List<(string, string, long)>> Legs(long transactionId)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            select e.side::text, a.code, e.amount_fen
            from ledger_entries e join ledger_accounts a on a.id = e.account_id where e.transaction_id = @t order by e.side desc, a.code
            """, conn);
        cmd.Parameters.AddWithValue("t", transactionId);
        var legs = new List<(string, string, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            legs.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));
        }
        return legs;
    }
}
