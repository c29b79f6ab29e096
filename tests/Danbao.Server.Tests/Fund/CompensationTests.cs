using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>Compensation (代偿), policy.md §6 and §9 example 7, through the API on real Postgres.</summary>
public sealed class CompensationTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Compensation_base_is_principal_plus_90_days_unpaid_interest_split_8_to_2()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var pipeline = await steps.Overview();

        var claim = await steps.File(loan);
        // Example 7: 150,000 + 150,000 × 3.50% × 90/360 = 1,312.50 → base 151,312.50 → fund 121,050.00, bank 30,262.50.
        Assert.Equal((15_000_000L, 131_250L, 15_131_250L), (claim.OutstandingPrincipalFen, claim.UnpaidInterestFen, claim.BaseFen));
        Assert.Equal((8000, 12_105_000L, 3_026_250L), (claim.FundShareBp, claim.FundFen, claim.BankFen));
        Assert.Equal(("PRINCIPAL_AND_INTEREST", ClaimState.ClaimFiled, 102), (claim.BaseMode, claim.State, claim.OverdueDays));
        Assert.Contains(claim.PolicyVersions, v => v.Parameter == "RISK_SHARE_FUND_BP" && v.Value == "8000");
        Assert.Equal(LoanState.Claimed, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        var before = await steps.Overview();
        Assert.Equal((pipeline.ClaimsInPipeline + 1, pipeline.ClaimsInPipelineBaseFen + 15_131_250L), (before.ClaimsInPipeline, before.ClaimsInPipelineBaseFen));

        claim = await steps.Consents(claim);
        var approval = new ApproveClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, DecidedDate = "2026-07-05" };
        claim = await steps.Fund.Fund.ApproveClaimAsync(approval);
        // A retried approval (same request_id) returns the first answer and pays nothing again.
        Assert.Equal(claim, await steps.Fund.Fund.ApproveClaimAsync(approval));
        Assert.Equal(ClaimState.ClaimApproved, claim.State);
        Assert.Equal(["FINANCE", "HRSS", "PBOC"], claim.Consents.Select(c => c.Party).Order());
        Assert.Equal(LoanState.Compensated, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);

        // The fund paid exactly its share out of its balance; the loan's guarantee was released.
        var after = await steps.Overview();
        Assert.Equal(before.BalanceFen - 12_105_000, after.BalanceFen);
        Assert.Equal(before.CompensationPaidFen + 12_105_000, after.CompensationPaidFen);
        Assert.Equal(before.OutstandingGuaranteesFen - 15_000_000, after.OutstandingGuaranteesFen);
        Assert.Equal(pipeline.ClaimsInPipeline, after.ClaimsInPipeline);
        await steps.AssertLedgerConsistent();
    }

    [Fact]
    public async Task Compensation_for_hk_macau_youth_is_split_9_to_1()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding(Residency.HongKong);
        Assert.True(loan.HkMacauYouth);

        var claim = await steps.File(loan);
        // Example 7, 9:1: base 151,312.50 → fund 136,181.25, bank 15,131.25.
        Assert.Equal((15_131_250L, 9000, 13_618_125L, 1_513_125L), (claim.BaseFen, claim.FundShareBp, claim.FundFen, claim.BankFen));
        Assert.Contains(claim.PolicyVersions, v => v.Parameter == "RISK_SHARE_FUND_HK_MACAU_YOUTH_BP" && v.Value == "9000");
        claim = await steps.Approve(await steps.Consents(claim));
        Assert.Equal(ClaimState.ClaimApproved, claim.State);
        await steps.AssertLedgerConsistent();
    }

    [Fact]
    public async Task A_loan_cannot_be_compensated_twice()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.File(loan);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(loan));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        claim = await steps.Approve(await steps.Consents(claim));
        var paidBalance = (await steps.Overview()).BalanceFen;

        var twice = await Assert.ThrowsAsync<RpcException>(async () => await steps.Approve(claim));
        Assert.Equal("CLAIM_NOT_PENDING", twice.Reason());
        var refile = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(loan, "2026-07-10"));
        Assert.Equal("ILLEGAL_TRANSITION", refile.Reason());
        Assert.Equal(paidBalance, (await steps.Overview()).BalanceFen);
    }

    [Fact]
    public async Task A_second_live_claim_is_refused_by_the_database_when_the_loan_state_would_allow_it()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.File(loan);
        // Planted: the loan back to OVERDUE with its claim still FILED (the unique index is the backstop).
        await using (var conn = new Npgsql.NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("update loans set state = 'OVERDUE', claim_date = null where id = @id", conn);
            cmd.Parameters.AddWithValue("id", loan.Name["loans/".Length..]);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var planted = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        var again = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(loan, "2026-07-01"));
        Assert.Equal((StatusCode.FailedPrecondition, "CLAIM_EXISTS"), (again.StatusCode, again.Reason()));
        // Nothing changed: the loan is as planted, the bank has its one claim.
        var after = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal((LoanState.Overdue, planted.Etag), (after.State, after.Etag));
        var claims = await steps.Bank.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 });
        Assert.Equal([claim.Name], claims.Claims.Where(c => c.Loan == loan.Name).Select(c => c.Name).ToArray());
    }

    [Fact]
    public async Task A_claim_needs_more_than_90_days_overdue()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        // Overdue from 2026-03-21: on 2026-06-18 it is exactly 90 days overdue, which is not more than 90.
        var early = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(loan, "2026-06-18"));
        Assert.Equal((StatusCode.FailedPrecondition, "NOT_OVERDUE_LONG_ENOUGH"), (early.StatusCode, early.Reason()));
        var claim = await steps.File(loan, "2026-06-19");
        Assert.Equal(91, claim.OverdueDays);
    }

    [Fact]
    public async Task Approval_needs_hrss_finance_and_pboc_consents_and_a_rejection_names_why()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.File(loan);
        claim = await steps.Consent(steps.Hrss, claim, ConsentStage.ConsentCompensation, "穗人社代偿〔2026〕8号");
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await steps.Approve(claim));
        Assert.Equal("CONSENTS_MISSING", missing.Reason());
        Assert.Contains("missing: FINANCE,PBOC", missing.Status.Detail);

        claim = await steps.Fund.Fund.RejectClaimAsync(new RejectClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, Reason = "贷款未按规定用途使用", DecidedDate = "2026-07-03",
        });
        Assert.Equal((ClaimState.ClaimRejected, "贷款未按规定用途使用"), (claim.State, claim.RejectionReason));
        Assert.Equal(LoanState.Overdue, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
    }

    [Fact]
    public async Task A_bank_cannot_file_or_see_claims_on_another_banks_loans()
    {
        var steps = new FundSteps(server);
        var other = server.As("ccb-gz");
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var filing = await Assert.ThrowsAsync<RpcException>(async () => await steps.File(loan, bank: other));
        Assert.Equal(StatusCode.NotFound, filing.StatusCode);

        var claim = await steps.File(loan);
        var reading = await Assert.ThrowsAsync<RpcException>(async () => await other.Fund.GetClaimAsync(new GetClaimRequest { Name = claim.Name }));
        Assert.Equal(StatusCode.NotFound, reading.StatusCode);
        Assert.DoesNotContain((await other.Fund.ListClaimsAsync(new ListClaimsRequest())).Claims, c => c.Name == claim.Name);
        Assert.Contains((await steps.Bank.Fund.ListClaimsAsync(new ListClaimsRequest())).Claims, c => c.Name == claim.Name);
        // The fund operator lists its fund's claims; another region's fund does not see them.
        Assert.Contains((await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { State = ClaimState.ClaimFiled })).Claims, c => c.Name == claim.Name);
        Assert.Empty((await server.As("jm-fund").Fund.ListClaimsAsync(new ListClaimsRequest())).Claims);
    }

    [Fact]
    public async Task Write_off_needs_hrss_and_finance_confirmation_and_two_years_or_proof()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.Approve(await steps.Consents(await steps.File(loan)));
        claim = await steps.Recover(claim, 1_000_000_00 / 100);  // 10,000.00 recovered: 8,000 fund, 2,000 bank.
        var writeOff = new WriteOffClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, WriteOffDate = "2027-06-30" };
        var unconfirmed = await Assert.ThrowsAsync<RpcException>(async () => await steps.Fund.Fund.WriteOffClaimAsync(writeOff));
        Assert.Equal("CONFIRMATIONS_MISSING", unconfirmed.Reason());
        claim = await steps.Consents(claim, ConsentStage.ConsentWriteOff);
        // Compensated 2026-07-05: without proof, write-off is possible from 2028-07-05 (WRITE_OFF_WAIT_MONTHS = 24).
        var early = await Assert.ThrowsAsync<RpcException>(async () => await steps.Fund.Fund.WriteOffClaimAsync(writeOff));
        Assert.Equal("WRITE_OFF_TOO_EARLY", early.Reason());

        claim = await steps.Fund.Fund.WriteOffClaimAsync(new WriteOffClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, WriteOffDate = "2027-06-30", ProvenUncollectable = true,
            Evidence = "法院终结本次执行裁定书 (2027) 粤0106执123号",
        });
        // The unrecovered shares: fund 121,050.00 − 8,000.00, bank 30,262.50 − 2,000.00.
        Assert.Equal((ClaimState.ClaimWrittenOff, 11_305_000L, 2_826_250L), (claim.State, claim.WrittenOffFundFen, claim.WrittenOffBankFen));
        Assert.Equal(LoanState.WrittenOff, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        await steps.AssertLedgerConsistent();
    }
}
