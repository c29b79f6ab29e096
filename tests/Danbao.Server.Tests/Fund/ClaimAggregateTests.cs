using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Reference;
using Danbao.Server.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// The compensation claim aggregate through the API (policy.md §6, §10): the share stored at the
/// guarantee governs the claim and its recoveries; recoveries go on after write-off (账销案存);
/// a bank's recovery posts only once the fund operator confirms it; late claims are flagged.
/// </summary>
public sealed class ClaimAggregateTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Recovery_after_write_off_is_shared_in_the_stored_ratio_and_restores_what_the_write_off_took()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.Approve(await steps.Consents(await steps.File(loan)));
        claim = await steps.Recover(claim, 10_000_00);
        claim = await steps.Consents(claim, ConsentStage.ConsentWriteOff);
        var beforeWriteOff = await steps.Overview();
        claim = await steps.Fund.Fund.WriteOffClaimAsync(new WriteOffClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, WriteOffDate = "2027-06-30",
            ProvenUncollectable = true, Evidence = "法院终结执行裁定书 (2027)粤0106执1号",
        });
        // Unrecovered: fund 121,050.00 − 8,000.00 = 113,050.00; bank 30,262.50 − 2,000.00 = 28,262.50.
        Assert.Equal((ClaimState.ClaimWrittenOff, 11_305_000L, 2_826_250L), (claim.State, claim.WrittenOffFundFen, claim.WrittenOffBankFen));
        var afterWriteOff = await steps.Overview();
        Assert.Equal(beforeWriteOff.CapitalFen - 11_305_000, afterWriteOff.CapitalFen);

        // 账销案存: 20,000 more is collected (1,000 costs) → 19,000 net, 8:2 → fund 15,200, bank 3,800.
        claim = await steps.Recover(claim, 20_000_00, 1_000_00, "2027-06-30");
        var last = claim.Recoveries.Single(r => r.Number == 2);
        Assert.Equal((true, Contracts.V1.RecoveryStatus.RecoveryPosted, 1_520_000L, 380_000L), (last.AfterWriteOff, last.Status, last.FundFen, last.BankFen));
        Assert.Equal((2_320_000L, 580_000L, 2_900_000L), (claim.RecoveredFundFen, claim.RecoveredBankFen, claim.RecoveredNetFen));
        var after = await steps.Overview();
        // Posted as recovery_after_write_off: D fund cash / C fund capital.
        Assert.Equal((afterWriteOff.BalanceFen + 1_520_000, afterWriteOff.CapitalFen + 1_520_000), (after.BalanceFen, after.CapitalFen));
        Assert.Equal(afterWriteOff.RecoveredFen + 1_520_000, after.RecoveredFen);
        Assert.Equal(1, await LedgerCountAsync(claim, "recovery_after_write_off"));
        Assert.Equal(LoanState.WrittenOff, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        await steps.AssertLedgerConsistent();
    }

    [Fact]
    public async Task A_recovery_recorded_by_the_bank_posts_only_once_the_fund_operator_confirms_it()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.Approve(await steps.Consents(await steps.File(loan)));
        var paid = await steps.Overview();

        claim = await steps.Bank.Fund.RecordRecoveryAsync(new RecordRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, GrossFen = 50_000_00, RecoveredDate = "2026-09-01",
        });
        var pending = claim.Recoveries.Single();
        Assert.Equal((1, "BANK", Contracts.V1.RecoveryStatus.RecoveryPending, 0L), (pending.Number, pending.RecordedBy, pending.Status, pending.FundFen));
        Assert.Equal((5_000_000L, 0L), (claim.PendingRecoveryFen, claim.RecoveredNetFen));
        Assert.Equal(paid.BalanceFen, (await steps.Overview()).BalanceFen);
        Assert.Equal(0, await LedgerCountAsync(claim, "recovery"));
        // The pending amount counts against the cap: 151,312.50 − 50,000 = 101,312.50 is all that is left.
        var over = await Assert.ThrowsAsync<RpcException>(async () => await steps.Recover(claim, 101_312_51));
        Assert.Equal("RECOVERY_EXCEEDS_CLAIM", over.Reason());
        // A bank cannot confirm its own recovery.
        var own = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Fund.ConfirmRecoveryAsync(new ConfirmRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, RecoveryNumber = 1, ConfirmedDate = "2026-09-05",
        }));
        Assert.Equal(StatusCode.PermissionDenied, own.StatusCode);

        claim = await steps.Fund.Fund.ConfirmRecoveryAsync(new ConfirmRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, RecoveryNumber = 1, ConfirmedDate = "2026-09-05",
        });
        var posted = claim.Recoveries.Single();
        // §9 ex. 8 at 8:2: 50,000 → fund 40,000, bank 10,000, posted on the confirmation date.
        Assert.Equal((Contracts.V1.RecoveryStatus.RecoveryPosted, 4_000_000L, 1_000_000L, "2026-09-05"), (posted.Status, posted.FundFen, posted.BankFen, posted.PostedDate));
        Assert.Equal(paid.BalanceFen + 4_000_000, (await steps.Overview()).BalanceFen);
        Assert.Equal(LoanState.Recovering, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await steps.Fund.Fund.ConfirmRecoveryAsync(new ConfirmRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, RecoveryNumber = 1, ConfirmedDate = "2026-09-06",
        }));
        Assert.Equal("RECOVERY_NOT_PENDING", again.Reason());

        // A refused one posts nothing and frees its room under the cap.
        claim = await steps.Bank.Fund.RecordRecoveryAsync(new RecordRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, GrossFen = 101_312_50, RecoveredDate = "2026-09-10",
        });
        claim = await steps.Fund.Fund.RefuseRecoveryAsync(new RefuseRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, RecoveryNumber = 2, Reason = "no receipt from the court",
        });
        var refused = claim.Recoveries.Single(r => r.Number == 2);
        Assert.Equal((Contracts.V1.RecoveryStatus.RecoveryRefused, "no receipt from the court"), (refused.Status, refused.RefusalReason));
        Assert.Equal((0L, 5_000_000L), (claim.PendingRecoveryFen, claim.RecoveredNetFen));
        Assert.Equal(1, await LedgerCountAsync(claim, "recovery"));
        await steps.AssertLedgerConsistent();
    }

    [Fact]
    public async Task A_claim_filed_after_the_quarter_the_loan_passed_90_days_is_flagged_late()
    {
        var steps = new FundSteps(server);
        // Overdue from 2026-03-21: more than 90 days from 2026-06-19, so due by 2026-06-30.
        var onTime = await steps.File(await steps.OverdueLoanWith150000Outstanding(), "2026-06-30");
        Assert.Equal(("2026-06-19", "2026-06-30", false), (onTime.ClaimableOn, onTime.LastOnTimeDate, onTime.FiledLate));
        var late = await steps.File(await steps.OverdueLoanWith150000Outstanding(), "2026-07-01");
        Assert.Equal(("2026-06-19", true), (late.ClaimableOn, late.FiledLate));
        var listed = await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { State = ClaimState.ClaimFiled, PageSize = 100 });
        Assert.True(listed.Claims.Single(c => c.Name == late.Name).FiledLate);
    }

    private async Task<long> LedgerCountAsync(Claim claim, string kind)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from ledger_transactions where cause_type = 'claim' and cause_id = @c and kind = @k", conn);
        cmd.Parameters.AddWithValue("c", claim.Name["claims/".Length..]);
        cmd.Parameters.AddWithValue("k", kind);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// policy.md §6, §10: the share is fixed when the guarantee is signed and read back. Own database:
/// the test plants a policy version no other test may see.
/// </summary>
public sealed class StoredShareTests(StoredShareTests.OwnServer server) : IClassFixture<StoredShareTests.OwnServer>
{
    public sealed class OwnServer : DanbaoServer;

    [Fact]
    public async Task A_policy_change_after_the_guarantee_leaves_the_claim_split_unchanged_to_the_fen()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        // After the guarantee, a Guangzhou version with a 100% fund share appears that covers the
        // guarantee date (as a seed migration adds versions dated in the past, e.g. 0061).
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by)
                values ('CN-GD-GZ:RISK_SHARE_FUND_BP:2025-01-01', 'RISK_SHARE_FUND_BP', 'CN-GD-GZ', '2025-01-01', null, 'BASIS_POINTS', '10000',
                        'planted by a test: a share change after the guarantee', 'test')
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var policy = await server.Host.Services.GetRequiredService<ReferenceDataCache>().ReloadAsync(CancellationToken.None);
        // The planted version does govern the guarantee date now: resolving again would pay 100%.
        Assert.Equal(10_000, policy.Resolver.At(new Danbao.Domain.Policy.RegionCode("CN-GD-GZ"), new DateOnly(2025, 6, 1)).RiskShareFund.Bp);
        var before = await steps.Overview();

        var claim = await steps.File(loan);
        // Example 7 at the stored 8:2: base 151,312.50 → fund 121,050.00, bank 30,262.50 (at 100% the fund would pay 30,262.50 more).
        Assert.Equal((15_131_250L, 8000, 12_105_000L, 3_026_250L), (claim.BaseFen, claim.FundShareBp, claim.FundFen, claim.BankFen));
        Assert.Equal(GuarantorType.GuaranteeFund, claim.GuarantorType);
        Assert.DoesNotContain(claim.PolicyVersions, v => v.Value == "10000");
        claim = await steps.Approve(await steps.Consents(claim));
        Assert.Equal(before.BalanceFen - 12_105_000, (await steps.Overview()).BalanceFen);
        claim = await steps.Recover(claim, 50_000_00);
        Assert.Equal((4_000_000L, 1_000_000L), (claim.RecoveredFundFen, claim.RecoveredBankFen));
        await steps.AssertLedgerConsistent();
    }
}
