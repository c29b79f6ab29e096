using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// StreamSubsidyClaimLines (issue 13, item 6): a claim's lines streamed in, recomputed in batches (here of 2 lines,
/// so lines cross batches and messages) and written in one transaction; bounds refuse with their status and change nothing.
/// </summary>
public sealed class SubsidyStreamingTests(SmallStreamDanbaoServer server) : IClassFixture<SmallStreamDanbaoServer>
{
    private static SubsidyClaimLineInput Line(Loan loan, long interestFen, long subsidyFen) =>
        new() { Loan = loan.Name, InterestPaidFen = interestFen, SubsidyClaimedFen = subsidyFen };

    [Fact]
    public async Task A_streamed_claim_settles_to_the_same_fen_as_the_unary_path()
    {
        var steps = new SubsidySteps(server);
        // Two loans in each of four situations: the quarter's 1,788.89 paid and 894.44 asked (MATCHES); one fen too
        // much asked (pays 894.44); less asked (pays 800.00); no interest paid (NOT_PAYABLE).
        var unary = new List<Loan>();
        var streamed = new List<Loan>();
        for (var i = 0; i < 8; i++)
        {
            var loan = await steps.Disbursed();
            if (i % 4 != 3)
            {
                await steps.Loans.Repay(loan, 178_889, "2025-09-20");
            }
            (i < 4 ? unary : streamed).Add(loan);
        }
        long[] asked = [89_444, 89_445, 80_000, 89_444];
        steps.Today("2025-10-16");

        var byCall = await steps.Open("2025-Q3");
        var filed = await steps.File(byCall, unary.Select((l, i) => (l, 178_889L, asked[i])).ToArray());
        var byStream = await steps.Open("2025-Q3");
        var sent = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(byStream.Name, DanbaoClient.NewRequestId(),
            streamed.Select((l, i) => Line(l, 178_889, asked[i])), linesPerMessage: 3);

        Assert.Equal(4, sent.LinesReceived);
        Assert.False(sent.LinesTruncated);
        // The reply lists the lines needing attention (not MATCHES): asked too much, asked less, not payable.
        Assert.Equal(new[] { streamed[1].Name, streamed[2].Name, streamed[3].Name }.Order(), sent.Lines.Select(l => l.Loan).Order());
        var notPayable = sent.Lines.Single(l => l.Loan == streamed[3].Name);
        Assert.Equal(("INTEREST_NOT_PAID", SubsidyLineDecision.SubsidyLineRejected), (notPayable.NotPayableReason, notPayable.Decision));
        var claims = new[] { filed.Claim, sent.Claim };
        Assert.All(claims, c => Assert.Equal((4, 1, 2, 1, 89_444L + 89_445 + 80_000 + 89_444, 89_444L * 3), (c.LineCount, c.LinesMatching, c.LinesDiffering, c.LinesNotPayable, c.ClaimedSubsidyFen, c.ExpectedSubsidyFen)));

        var settled = new List<SubsidyClaim>();
        foreach (var claim in claims)
        {
            var reviewed = await steps.Review(await steps.Submit(claim), approveAll: true);
            Assert.Equal((3, 1, 89_444L + 89_444 + 80_000), (reviewed.LinesApproved, reviewed.LinesRejected, reviewed.ApprovedSubsidyFen));
            settled.Add(await steps.Settle(reviewed, "2025-10-16"));
        }
        Assert.All(settled, c => Assert.Equal((SubsidyClaimState.SubsidyClaimSettled, 258_888L, 258_888L), (c.State, c.ApprovedSubsidyFen, c.PaidSubsidyFen)));

        // Line by line, the same decisions and amounts; the ledger statement has the same per-loan amounts.
        var lines = await Task.WhenAll(settled.Select(async c => (await steps.Bank.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = c.Name })).Lines
            .ToDictionary(l => l.Loan)));
        for (var i = 0; i < 4; i++)
        {
            var (u, s) = (lines[0][unary[i].Name], lines[1][streamed[i].Name]);
            Assert.Equal((u.Flag, u.Decision, u.ExpectedSubsidyFen, u.ApprovedSubsidyFen, u.Days), (s.Flag, s.Decision, s.ExpectedSubsidyFen, s.ApprovedSubsidyFen, s.Days));
        }
        Assert.Equal(new long[] { 89_444, 89_444, 80_000, 0 }, streamed.Select(l => lines[1][l.Name].ApprovedSubsidyFen).ToArray());
        var unaryStatement = await StatementAsync(settled[0].LedgerTransactionId);
        var streamedStatement = await StatementAsync(settled[1].LedgerTransactionId);
        Assert.Equal(new long[] { 80_000, 89_444, 89_444 }, unaryStatement);
        Assert.Equal(unaryStatement, streamedStatement);
    }

    [Fact]
    public async Task A_differing_lines_message_is_made_again_from_its_row_the_same_as_when_filed()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        var other = await steps.Disbursed();
        await steps.Loans.Repay(other, 178_889, "2025-09-20");
        steps.Today("2025-10-16");
        var claim = await steps.Open("2025-Q3");
        // One fen more asked than the 894.44 due: DIFFERS, with the figures in its message; the other line MATCHES.
        var sent = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loan, 178_889, 89_445), Line(other, 178_889, 89_444)], linesPerMessage: 1);
        var filed = sent.Lines.Single();
        Assert.Equal((loan.Name, SubsidyLineFlag.SubsidyLineDiffers), (filed.Loan, filed.Flag));
        Assert.StartsWith("claimed interest 1,788.89, subsidy 894.45; interest paid in full for [", filed.Message, StringComparison.Ordinal);
        Assert.EndsWith(") 1,788.89, expected subsidy 894.44", filed.Message, StringComparison.Ordinal);

        // The row keeps the figures, not the text (half of such a row, rewritten by review and settlement).
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select message from subsidy_claim_lines where claim_id = @c and loan_id = @l", conn);
            cmd.Parameters.AddWithValue("c", claim.Name.Split('/')[1]);
            cmd.Parameters.AddWithValue("l", loan.Name.Split('/')[1]);
            Assert.Equal("", await cmd.ExecuteScalarAsync());
        }
        var settled = await steps.Settle(await steps.Review(await steps.Submit(sent.Claim), approveAll: true), "2025-10-16");
        var listed = (await steps.Bank.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = settled.Name })).Lines.ToDictionary(l => l.Loan);
        Assert.Equal((filed.Message, SubsidyLineDecision.SubsidyLinePaid, 89_444L), (listed[loan.Name].Message, listed[loan.Name].Decision, listed[loan.Name].ApprovedSubsidyFen));
        Assert.Equal("", listed[other.Name].Message);
    }

    [Fact]
    public async Task Another_banks_loan_streamed_gets_the_same_not_payable_answer_whether_claimed_or_unknown()
    {
        var ccbSteps = new SubsidySteps(server, "ccb-gz");
        var theirs = await ccbSteps.Disbursed();
        await ccbSteps.Loans.Repay(theirs, 178_889, "2025-09-20");
        ccbSteps.Today("2025-10-17");
        var ccbClaim = await ccbSteps.Open("2025-Q3");
        await ccbSteps.File(ccbClaim, (theirs, 178_889, 89_444)); // claimed by its own bank: a live line

        var steps = new SubsidySteps(server);
        var claim = await steps.Open("2025-Q3");
        var sent = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [new SubsidyClaimLineInput { Loan = theirs.Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444 },
             new SubsidyClaimLineInput { Loan = "loans/L0NOSUCHLOAN0000001", InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444 }]);
        var answers = sent.Lines.Select(l => (l.Flag, l.NotPayableReason, l.Decision, l.ExpectedSubsidyFen, l.PeriodStartDate, l.Message.Replace(l.Loan, "loans/X", StringComparison.Ordinal))).Distinct().ToArray();
        var answer = Assert.Single(answers);
        Assert.Equal((SubsidyLineFlag.SubsidyLineNotPayable, "LOAN_NOT_THIS_BANKS", SubsidyLineDecision.SubsidyLineRejected, 0L, "", "loans/X is not a loan of icbc-gz"), answer);
    }

    [Fact]
    public async Task A_retried_stream_gets_the_first_reply_and_the_same_id_with_other_lines_is_refused()
    {
        var steps = new SubsidySteps(server);
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        await steps.Loans.Repay(a, 178_889, "2025-09-20");
        await steps.Loans.Repay(b, 178_889, "2025-09-20");
        steps.Today("2025-10-18");
        var claim = await steps.Open("2025-Q3");
        var id = DanbaoClient.NewRequestId();
        SubsidyClaimLineInput[] lines = [Line(a, 178_889, 89_444), Line(b, 178_889, 89_444)];
        var first = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, id, lines);
        var again = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, id, lines);
        Assert.Equal(first, again);
        Assert.Equal((2, 89_444L * 2), (again.Claim.LineCount, again.Claim.ExpectedSubsidyFen));
        var other = await Assert.ThrowsAsync<RpcException>(() => steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, id, lines.Take(1)));
        Assert.Equal((StatusCode.AlreadyExists, "REQUEST_ID_REUSED"), (other.StatusCode, other.Reason()));
        var now = await steps.Bank.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name });
        Assert.Equal((2, first.Claim.Etag), (now.LineCount, now.Etag));
    }

    [Fact]
    public async Task Bounds_refuse_with_their_status_and_change_nothing()
    {
        var (steps, loans, claim) = await ThreeLoansPaidForQ3AndTheirClaim();
        var subsidy = steps.Bank.Subsidy;
        StreamSubsidyClaimLinesRequest Message(int count, string lateReason = "") => new()
        {
            RequestId = DanbaoClient.NewRequestId(),
            Claim = claim.Name,
            Lines = { Enumerable.Range(0, count).Select(i => new SubsidyClaimLineInput { Loan = loans[i % 3].Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444, LateReason = lateReason }) },
        };

        // More than 10,000 lines in one message.
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync([Message(10_001)]));
        Assert.Equal((StatusCode.InvalidArgument, "lines"), (tooMany.StatusCode, tooMany.FieldViolations()[0].Field));
        // A message above the server's 4 MiB (--max-message-bytes): refused by the transport. Sent on a channel of its own:
        // once, in about a dozen suite runs, the next stream on the channel that sent it did not reach the server.
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => server.As("icbc-gz").Subsidy.StreamSubsidyClaimLinesAsync([Message(9_000, new string('迟', 200))]));
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
        // More lines than a stream may carry (5 on this server; the second message would make 6), the first batch already written: all undone.
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            Enumerable.Range(0, 6).Select(i => Line(loans[i % 3], 178_889, 89_444)), linesPerMessage: 3));
        Assert.Equal((StatusCode.ResourceExhausted, "SUBSIDY_STREAM_TOO_LARGE"), (tooLong.StatusCode, tooLong.Reason()));
        // A loan sent twice, in different batches: the second is refused by the claim's key, the first undone too.
        var twice = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loans[0], 178_889, 89_444), Line(loans[1], 178_889, 89_444), Line(loans[0], 178_889, 89_444)]));
        Assert.Equal((StatusCode.AlreadyExists, "SUBSIDY_LINE_EXISTS"), (twice.StatusCode, twice.Reason()));
        // A claim that would hold more than 2,000,000 lines.
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var full = new NpgsqlCommand("update subsidy_claims set line_count = 1999999 where id = @id", conn);
            full.Parameters.AddWithValue("id", claim.Name["subsidyClaims/".Length..]);
            await full.ExecuteNonQueryAsync();
        }
        var claimFull = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loans[0], 178_889, 89_444), Line(loans[1], 178_889, 89_444)]));
        Assert.Equal((StatusCode.FailedPrecondition, "SUBSIDY_CLAIM_FULL"), (claimFull.StatusCode, claimFull.Reason()));

        var now = await subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name });
        Assert.Equal((1_999_999, 0L, claim.Etag), (now.LineCount, now.ClaimedSubsidyFen, now.Etag));
        Assert.Empty((await subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines);
    }

    [Fact]
    public async Task A_batch_refused_by_the_claims_key_is_refused_before_the_next_batchs_lines_which_are_judged_while_it_is_written()
    {
        var (steps, loans, claim) = await ThreeLoansPaidForQ3AndTheirClaim();
        var subsidy = steps.Bank.Subsidy;
        // Batches of two: [a, b] is written; [a again, c] is refused by the claim's key when written, while the third batch,
        // a 2025-Q2 line filed late without a reason, is judged (and refused by the aggregate). The earlier batch's refusal wins.
        var late = new SubsidyClaimLineInput { Loan = loans[2].Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444, Quarter = "2025-Q2" };
        var refused = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loans[0], 178_889, 89_444), Line(loans[1], 178_889, 89_444), Line(loans[0], 178_889, 89_444), Line(loans[2], 178_889, 89_444), late],
            linesPerMessage: 1));
        Assert.Equal((StatusCode.AlreadyExists, "SUBSIDY_LINE_EXISTS"), (refused.StatusCode, refused.Reason()));
        // The database names the row it refused (the stream's one COPY counts rows as the stream counts lines), and its
        // batch is still held, so its loan is named too.
        Assert.Equal("lines[2]", refused.FieldViolations().Single().Field);
        Assert.Equal(("lines[2]", loans[0].Name), (refused.ReasonMetadata()["line"], refused.ReasonMetadata()["loans"]));
        // The late line alone is refused: had the stream raised its third batch's refusal first, the answer above would be this.
        var alone = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(), [late]));
        Assert.Equal((StatusCode.InvalidArgument, "lines[0].late_reason"), (alone.StatusCode, alone.FieldViolations()[0].Field));
        var now = await subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name });
        Assert.Equal((0, claim.Etag), (now.LineCount, now.Etag));
    }

    [Fact]
    public async Task An_earlier_lines_refusal_is_raised_before_a_malformed_later_line_though_its_batch_is_not_yet_judged()
    {
        var (steps, loans, claim) = await ThreeLoansPaidForQ3AndTheirClaim();
        var subsidy = steps.Bank.Subsidy;
        // Batches of two: [a, a 2025-Q2 line late without a reason] is loaded but not yet judged when the second
        // batch's malformed loan name arrives; the stream judges what it holds first, so lines[1]'s refusal wins.
        var late = new SubsidyClaimLineInput { Loan = loans[2].Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444, Quarter = "2025-Q2" };
        var malformed = new SubsidyClaimLineInput { Loan = "loan/x", InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444 };
        var refused = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loans[0], 178_889, 89_444), late, Line(loans[1], 178_889, 89_444), malformed], linesPerMessage: 1));
        Assert.Equal((StatusCode.InvalidArgument, "lines[1].late_reason"), (refused.StatusCode, refused.FieldViolations()[0].Field));
        // Without the late line, the malformed one is what is refused.
        var alone = await Assert.ThrowsAsync<RpcException>(() => subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            [Line(loans[0], 178_889, 89_444), Line(loans[2], 178_889, 89_444), Line(loans[1], 178_889, 89_444), malformed], linesPerMessage: 1));
        Assert.Equal((StatusCode.InvalidArgument, "lines[3].loan"), (alone.StatusCode, alone.FieldViolations()[0].Field));
        var now = await subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name });
        Assert.Equal((0, claim.Etag), (now.LineCount, now.Etag));
    }

    /// <summary>Three loans whose 2025-Q3 interest was paid, on 2025-10-19, and the bank's open claim for 2025-Q3.</summary>
    private async Task<(SubsidySteps Steps, List<Loan> Loans, SubsidyClaim Claim)> ThreeLoansPaidForQ3AndTheirClaim()
    {
        var steps = new SubsidySteps(server);
        var loans = new List<Loan>();
        for (var i = 0; i < 3; i++)
        {
            loans.Add(await steps.Disbursed());
            await steps.Loans.Repay(loans[^1], 178_889, "2025-09-20");
        }
        steps.Today("2025-10-19");
        return (steps, loans, await steps.Open("2025-Q3"));
    }

    private async Task<long[]> StatementAsync(long transactionId)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select amount_fen from ledger_transaction_lines where transaction_id = @t order by amount_fen", conn);
        cmd.Parameters.AddWithValue("t", transactionId);
        var amounts = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            amounts.Add(r.GetInt64(0));
        }
        return amounts.ToArray();
    }
}
