using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>Quarterly subsidy claims (policy.md §5, §9 examples 2–3) from filing to settlement, through the API.</summary>
public sealed class SubsidyClaimTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Example_3_a_92_day_quarter_claim_matches_894_44_and_settles_as_one_payment_with_a_line_per_loan()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        // The borrower pays the quarter's interest first (先付后贴): 1,788.89 for 2025-06-20 … 2025-09-20 (example 2).
        var paid = await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        Assert.Equal(178_889, paid.InterestFen);

        steps.Today("2025-10-10");
        var claim = await steps.Open("2025-Q3");
        Assert.Equal(SubsidyClaimState.SubsidyClaimDraft, claim.State);
        var filed = await steps.File(claim, (loan, 178_889, 89_444));
        var line = Assert.Single(filed.Lines);
        Assert.Equal(SubsidyLineFlag.SubsidyLineMatches, line.Flag);
        Assert.Equal(("2025-06-20", "2025-09-20", 92), (line.PeriodStartDate, line.PeriodEndDate, line.Days));
        Assert.Equal(178_889, line.ExpectedInterestFen);
        Assert.Equal(89_444, line.ExpectedSubsidyFen);
        Assert.Equal(SubsidyFormula.V3, line.Formula);

        // The borrower's share is the rounded interest minus the rounded subsidy: 894.45.
        var explained = await steps.Explain(loan, "2025-06-20", "2025-09-20");
        Assert.Equal((178_889L, 89_444L, 89_445L), (explained.InterestFen, explained.SubsidyFen, explained.BorrowerShareFen));
        Assert.Equal("175", explained.SubsidyRateBp);
        Assert.Contains(explained.PolicyVersions, v => v.Parameter == "SUBSIDY_FORMULA" && v.Value == "V3");

        claim = await steps.Submit(filed.Claim);
        claim = await steps.Review(claim, approveAll: true);
        Assert.Equal(SubsidyClaimState.SubsidyClaimReviewed, claim.State);
        claim = await steps.Settle(claim, "2025-10-10");
        Assert.Equal(SubsidyClaimState.SubsidyClaimSettled, claim.State);
        Assert.Equal(89_444, claim.ApprovedSubsidyFen);

        // One ledger transaction for the claim: finance → bank, with the borrower-level statement as its lines.
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select subject_type, subject_id, amount_fen from ledger_transaction_lines where transaction_id = @t", conn);
        cmd.Parameters.AddWithValue("t", claim.LedgerTransactionId);
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            Assert.Equal(("loan", loan.Name["loans/".Length..], 89_444L), (r.GetString(0), r.GetString(1), r.GetInt64(2)));
            Assert.False(await r.ReadAsync());
        }

        // The finance bureau's report for the quarter (other tests of this class settle 2025-Q3 lines too), and its CSV export.
        var report = await steps.Finance.Subsidy.GetSubsidySettlementReportAsync(new GetSubsidySettlementReportRequest { Quarter = "2025-Q3" });
        Assert.True(report.Loans >= 1);
        Assert.Equal(report.SubsidyFen, report.ByBank.Sum(t => t.SubsidyFen));
        Assert.Equal(report.SubsidyFen, report.ByDistrict.Sum(t => t.SubsidyFen));
        Assert.Equal(report.SubsidyFen, report.ByFormula.Sum(t => t.SubsidyFen));
        Assert.Contains(report.ByBank, t => t.Key == "icbc-gz");
        Assert.Contains(report.ByDistrict, t => t.Key == "天河区");
        Assert.Contains(report.ByFormula, t => t.Key == "V3");
        var csv = System.Text.Encoding.UTF8.GetString(await steps.Finance.Subsidy.ExportSubsidySettlementReportCsvAsync(new GetSubsidySettlementReportRequest { Quarter = "2025-Q3" }));
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("claim,loan,bank,district,formula,", rows[0]);
        Assert.Equal(report.Loans, rows.Length - 1);
        Assert.Equal(report.SubsidyFen, rows.Skip(1).Sum(r => long.Parse(r[(r.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains($"{claim.Name},{loan.Name},icbc-gz,天河区,V3,2025-06-20,2025-09-20,92,0,178889,89444", rows);

        // Paid once: the same loan and quarter cannot be filed again, in any claim.
        var again = await steps.Open("2025-Q3");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(again, (loan, 178_889, 89_444)));
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Equal("SUBSIDY_LINE_EXISTS", ex.Reason());
    }

    [Fact]
    public async Task Example_3_over_730_days_the_subsidy_and_the_borrower_share_are_7097_22_each_and_interest_paid_only_at_maturity_is_overdue()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        // Bullet: interest for 2025-06-20 … 2027-06-20 (730 days) paid with the principal: 14,194.44 (example 2).
        var settled = await steps.Loans.Repay(loan, 20_000_000 + 1_419_444, "2027-06-20");
        Assert.Equal(1_419_444, settled.InterestFen);

        var claim = await steps.Open("2027-Q2");
        var line = Assert.Single((await steps.File(claim, (loan, 1_419_444, 709_722))).Lines);
        // Interest falls due quarterly (the 20th of Mar/Jun/Sep/Dec): paid only at maturity, every
        // quarter's interest was overdue from its due date, and overdue days earn nothing (§5). Overdue is
        // a fact of the schedule and the repayments, whether or not a batch ever marked the loan.
        Assert.Equal(SubsidyLineFlag.SubsidyLineIneligibleDays, line.Flag);
        Assert.Equal(730, line.Days);
        Assert.InRange(line.ExpectedSubsidyFen, 1, 709_721);
        var explained = await steps.Explain(loan, "2025-06-20", "2027-06-20");
        Assert.Equal((1_419_444L, 709_722L, 709_722L), (explained.InterestFen, explained.SubsidyFen, explained.BorrowerShareFen));
    }

    [Fact]
    public async Task A_claim_line_filed_twice_is_refused_the_second_time()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        steps.Today("2025-10-12");
        var claim = await steps.Open("2025-Q3");
        await steps.File(claim, (loan, 178_889, 89_444));
        // Again in the same claim, and in another claim for the same quarter.
        var same = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(claim, (loan, 178_889, 89_444)));
        Assert.Equal(StatusCode.AlreadyExists, same.StatusCode);
        Assert.Equal("SUBSIDY_LINE_EXISTS", same.Reason());
        var other = await steps.Open("2025-Q3");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(other, (loan, 178_889, 89_444)));
        Assert.Equal("SUBSIDY_LINE_EXISTS", ex.Reason());
        Assert.Contains(loan.Name, ex.ReasonMetadata()["loans"]);
    }

    [Fact]
    public async Task The_database_refuses_a_second_live_line_for_the_same_loan_and_quarter()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        steps.Today("2025-10-12");
        var claim = await steps.Open("2025-Q3");
        await steps.File(claim, (loan, 178_889, 89_444));
        var other = await steps.Open("2025-Q3");
        // Bypassing the service's check: the unique index alone must refuse it.
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            insert into subsidy_claim_lines (claim_id, loan_id, bank_id, quarter_start, interest_paid_fen, subsidy_claimed_fen, flag, decision)
            values (@claim, @loan, 'icbc-gz', '2025-07-01', 178889, 89444, 'MATCHES', 'PENDING')
            """, conn);
        cmd.Parameters.AddWithValue("claim", other.Name["subsidyClaims/".Length..]);
        cmd.Parameters.AddWithValue("loan", loan.Name["loans/".Length..]);
        var ex = await Assert.ThrowsAsync<PostgresException>(async () => await cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, ex.SqlState);
    }

    [Fact]
    public async Task The_database_refuses_a_line_with_a_negative_amount_an_unknown_code_or_a_payment_outside_its_verdict()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        steps.Today("2025-10-12");
        var claim = await steps.Open("2025-Q3");
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        // A valid pending line, then the same line with one thing wrong: each is refused by the line's check.
        const string Valid = "178889, 89444, 'MATCHES', 'PENDING', 'ON_TIME', null, 89444, 89444, 0";
        async Task<PostgresException?> Insert(string values)
        {
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand(
                $"""
                insert into subsidy_claim_lines (claim_id, loan_id, bank_id, quarter_start, interest_paid_fen, subsidy_claimed_fen, flag,
                    decision, late_filing, late_reason, expected_subsidy_fen, payable_subsidy_fen, approved_subsidy_fen)
                values (@claim, @loan, 'icbc-gz', '2025-07-01', {values})
                """, conn, tx);
            cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
            cmd.Parameters.AddWithValue("loan", loan.Name["loans/".Length..]);
            try
            {
                await cmd.ExecuteNonQueryAsync();
                return null;
            }
            catch (PostgresException e)
            {
                return e;
            }
            finally
            {
                await tx.RollbackAsync();
            }
        }
        Assert.Null(await Insert(Valid));
        foreach (var invalid in new[]
        {
            "-1, 89444, 'MATCHES', 'PENDING', 'ON_TIME', null, 89444, 89444, 0", // negative interest
            "178889, 89444, 'MATCHED', 'PENDING', 'ON_TIME', null, 89444, 89444, 0", // unknown flag
            "178889, 89444, 'MATCHES', 'OPEN', 'ON_TIME', null, 89444, 89444, 0", // unknown decision
            "178889, 89444, 'MATCHES', 'PENDING', 'PENDING', null, 89444, 89444, 0", // late without a reason
            "178889, 89444, 'MATCHES', 'PENDING', 'ON_TIME', null, 89444, 89445, 0", // payable above expected
            "178889, 89444, 'MATCHES', 'APPROVED', 'ON_TIME', null, 89444, 89444, 89000", // approved at other than payable
            "178889, 89444, 'NOT_PAYABLE', 'PENDING', 'ON_TIME', null, 0, 0, 0", // not payable but not rejected
        })
        {
            var refused = await Insert(invalid);
            Assert.True(refused is { SqlState: PostgresErrorCodes.CheckViolation, ConstraintName: "subsidy_claim_lines_valid" }, invalid);
        }
    }

    [Fact]
    public async Task A_paid_line_is_final_in_the_database()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        steps.Today("2025-10-17");
        var claim = await steps.Open("2025-Q3");
        claim = (await steps.File(claim, (loan, 178_889, 89_444))).Claim;
        claim = await steps.Settle(await steps.Review(await steps.Submit(claim), approveAll: true), "2025-10-17");
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        foreach (var sql in new[]
        {
            "update subsidy_claim_lines set decision = 'REJECTED', approved_subsidy_fen = 0, rejection_reason = 'x' where claim_id = @claim",
            "delete from subsidy_claim_lines where claim_id = @claim",
        })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("claim", claim.Name["subsidyClaims/".Length..]);
            var ex = await Assert.ThrowsAsync<PostgresException>(async () => await cmd.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
            Assert.Contains("is paid and final", ex.MessageText, StringComparison.Ordinal); // the trigger's, not a check constraint's
        }
    }

    [Fact]
    public async Task A_line_for_another_banks_loan_is_not_payable_and_does_not_block_that_bank()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        steps.Today("2025-10-13");
        var ccb = server.As("ccb-gz");
        var foreign = await steps.Open("2025-Q3", ccb);
        var line = Assert.Single((await SubsidySteps.File(ccb, foreign, (loan, 178_889, 89_444))).Lines);
        Assert.Equal(SubsidyLineFlag.SubsidyLineNotPayable, line.Flag);
        Assert.Equal("LOAN_NOT_THIS_BANKS", line.NotPayableReason);
        Assert.Equal(SubsidyLineDecision.SubsidyLineRejected, line.Decision);
        Assert.Equal(0, line.ExpectedSubsidyFen);
        Assert.Equal("", line.PeriodStartDate); // nothing of the other bank's loan is shown

        // The loan's own bank files it normally.
        var own = await steps.Open("2025-Q3");
        Assert.Equal(SubsidyLineFlag.SubsidyLineMatches, Assert.Single((await steps.File(own, (loan, 178_889, 89_444))).Lines).Flag);
    }

    [Fact]
    public async Task A_line_whose_interest_was_not_paid_in_the_quarter_is_not_payable_and_cannot_be_approved()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        steps.Today("2025-10-14");
        var claim = await steps.Open("2025-Q3");
        var line = Assert.Single((await steps.File(claim, (loan, 178_889, 89_444))).Lines);
        Assert.Equal(SubsidyLineFlag.SubsidyLineNotPayable, line.Flag);
        Assert.Equal("INTEREST_NOT_PAID", line.NotPayableReason);
        claim = await steps.Submit((await steps.Bank.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name })));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await steps.Review(claim, false, new SubsidyLineReview { Loan = loan.Name, Approve = true }));
        Assert.Equal("SUBSIDY_LINE_NOT_PAYABLE", ex.Reason());
    }

    [Fact]
    public async Task The_bureau_reviews_line_by_line_pays_the_lesser_of_claimed_and_expected_and_a_rejected_line_can_be_filed_again()
    {
        var steps = new SubsidySteps(server);
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        var c = await steps.Disbursed();
        foreach (var loan in new[] { a, b, c })
        {
            await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        }
        steps.Today("2025-10-15");
        var claim = await steps.Open("2025-Q3");
        // a asks one fen too much (DIFFERS, pays the expected 894.44); b asks less (pays what it asked); c is rejected.
        var filed = await steps.File(claim, (a, 178_889, 89_445), (b, 178_889, 80_000), (c, 178_889, 89_444));
        var flags = filed.Lines.ToDictionary(l => l.Loan, l => (l.Flag, l.ExpectedSubsidyFen));
        Assert.Equal((SubsidyLineFlag.SubsidyLineDiffers, 89_444L), flags[a.Name]);
        Assert.Equal((SubsidyLineFlag.SubsidyLineDiffers, 89_444L), flags[b.Name]);
        Assert.Equal((SubsidyLineFlag.SubsidyLineMatches, 89_444L), flags[c.Name]);
        Assert.Equal(3, filed.Claim.LineCount);

        claim = await steps.Submit(filed.Claim);
        claim = await steps.Review(claim, false,
            new SubsidyLineReview { Loan = a.Name, Approve = true },
            new SubsidyLineReview { Loan = b.Name, Approve = true },
            new SubsidyLineReview { Loan = c.Name, Approve = false, Reason = "repayment record under query" });
        Assert.Equal((2, 1), (claim.LinesApproved, claim.LinesRejected));
        Assert.Equal(89_444 + 80_000, claim.ApprovedSubsidyFen);
        claim = await steps.Settle(claim, "2025-10-15");
        Assert.Equal(89_444 + 80_000, claim.ApprovedSubsidyFen);
        var lines = (await steps.Bank.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines.ToDictionary(l => l.Loan);
        Assert.Equal(SubsidyLineDecision.SubsidyLinePaid, lines[a.Name].Decision);
        Assert.Equal(SubsidyLineDecision.SubsidyLineRejected, lines[c.Name].Decision);
        Assert.Equal("repayment record under query", lines[c.Name].RejectionReason);

        // The bank files a corrected line for the rejected loan; the paid ones stay paid once.
        var correction = await steps.Open("2025-Q3");
        Assert.Equal(SubsidyLineFlag.SubsidyLineMatches, Assert.Single((await steps.File(correction, (c, 178_889, 89_444))).Lines).Flag);
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(correction, (a, 178_889, 89_444)));
        Assert.Equal("SUBSIDY_LINE_EXISTS", twice.Reason());
    }

    [Fact]
    public async Task A_bank_sees_only_its_own_claims_and_the_finance_bureau_all_of_its_region()
    {
        var steps = new SubsidySteps(server);
        steps.Today("2025-10-16");
        var icbc = await steps.Open("2025-Q3");
        var ccbClient = server.As("ccb-gz");
        var ccb = await steps.Open("2025-Q3", ccbClient);

        var hidden = await Assert.ThrowsAsync<RpcException>(async () => await ccbClient.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = icbc.Name }));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        var ccbList = await ccbClient.Subsidy.ListSubsidyClaimsAsync(new ListSubsidyClaimsRequest { PageSize = 500 });
        Assert.All(ccbList.Claims, c => Assert.Equal("institutions/ccb-gz", c.Bank));
        Assert.Contains(ccbList.Claims, c => c.Name == ccb.Name);

        var finance = await steps.Finance.Subsidy.ListSubsidyClaimsAsync(new ListSubsidyClaimsRequest { PageSize = 500 });
        Assert.Contains(finance.Claims, c => c.Name == icbc.Name);
        Assert.Contains(finance.Claims, c => c.Name == ccb.Name);
        Assert.Equal(icbc.Name, (await steps.Finance.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = icbc.Name })).Name);

        // Jiangmen's bureau does not see Guangzhou's claims.
        var jm = server.As("jm-finance");
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await jm.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = icbc.Name }))).StatusCode);
        Assert.DoesNotContain((await jm.Subsidy.ListSubsidyClaimsAsync(new ListSubsidyClaimsRequest())).Claims, c => c.Region == "CN-GD-GZ");
    }

    [Fact]
    public async Task A_claim_is_filed_only_in_the_first_month_after_its_quarter()
    {
        var steps = new SubsidySteps(server);
        steps.Today("2025-11-01");
        var late = await Assert.ThrowsAsync<RpcException>(async () => await steps.Open("2025-Q3"));
        Assert.Equal("SUBSIDY_CLAIM_WINDOW_CLOSED", late.Reason());
        var early = await Assert.ThrowsAsync<RpcException>(async () => await steps.Open("2025-Q4"));
        Assert.Equal("SUBSIDY_CLAIM_WINDOW_CLOSED", early.Reason());
    }
}
