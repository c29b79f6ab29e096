using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>A recovery the bank collected is recorded by the bank as pending; it posts only when the fund operator confirms it.</summary>
public class BankRecordedRecoveryTests
{
    private static ClaimOutcome BankRecords(CompensationClaim claim, long grossYuan, long costsYuan = 0, string on = "2026-03-01") =>
        claim.RecordRecovery(RecoveryRecorder.Bank, "gz-bank", D(on), Money.FromWholeYuan(grossYuan), Money.FromWholeYuan(costsYuan)).Value;

    [Fact]
    public void A_bank_recorded_recovery_posts_nothing_until_the_fund_operator_confirms_it()
    {
        var recorded = BankRecords(Approved(8000, PrincipalOnlyPolicy), 52_000, 2_000);
        Assert.Null(recorded.Posting);
        Assert.Equal(RecoveryStatus.Pending, recorded.Recovery!.Status);
        Assert.Null(recorded.Recovery.Split);
        Assert.Equal((Money.Zero, Money.FromWholeYuan(50_000)), (recorded.Data.RecoveredNet, recorded.Data.PendingNet));

        var confirmed = recorded.Claim.ConfirmRecovery(recorded.Recovery.Number, D("2026-03-05")).Value;
        Assert.Equal(RecoveryStatus.Posted, confirmed.Recovery!.Status);
        Assert.Equal(D("2026-03-05"), confirmed.Posting!.BusinessDate);
        Assert.Equal((Money.FromWholeYuan(40_000), Money.FromWholeYuan(10_000)), (confirmed.Recovery.Split!.Value.Fund, confirmed.Recovery.Split.Value.Bank));
        Assert.Equal((Money.FromWholeYuan(50_000), Money.Zero), (confirmed.Data.RecoveredNet, confirmed.Data.PendingNet));
        Assert.Equal(ReasonCodes.RecoveryNotPending, confirmed.Claim.ConfirmRecovery(recorded.Recovery.Number, D("2026-03-06")).Refusal!.Code);
    }

    [Fact]
    public void A_fund_operator_recorded_recovery_posts_at_once()
    {
        var recorded = Approved().Recover(1_000);
        Assert.Equal(RecoveryStatus.Posted, recorded.Recovery!.Status);
        Assert.NotNull(recorded.Posting);
    }

    [Fact]
    public void Pending_recoveries_count_against_the_cap_until_refused()
    {
        var pending = BankRecords(Approved(8000, PrincipalOnlyPolicy), 100_000);
        var refused = pending.Claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-03-02"), Yuan("50,000.01"), Money.Zero);
        Assert.Equal(ReasonCodes.RecoveryExceedsClaim, refused.Refusal!.Code);
        Assert.Equal(ReasonCodes.RejectionReasonRequired, pending.Claim.RefuseRecovery(1, "").Refusal!.Code);
        var freed = pending.Claim.RefuseRecovery(1, "the bank's statement shows no such receipt").Value;
        Assert.Equal(RecoveryStatus.Refused, freed.Recovery!.Status);
        Assert.Null(freed.Posting);
        Assert.True(freed.Claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-03-02"), Money.FromWholeYuan(150_000), Money.Zero).IsOk);
    }

    [Fact]
    public void Only_a_pending_recovery_can_be_confirmed()
    {
        var claim = Approved().Recover(1_000).Claim;
        Assert.Equal(ReasonCodes.RecoveryNotPending, claim.ConfirmRecovery(1, D("2026-03-05")).Refusal!.Code);
        Assert.Equal(ReasonCodes.RecoveryNotPending, claim.ConfirmRecovery(7, D("2026-03-05")).Refusal!.Code);
    }

    [Fact]
    public void A_claim_with_a_pending_recovery_cannot_be_written_off()
    {
        var pending = BankRecords(Approved(), 1_000).Claim.WithConsents(ClaimConsentStage.WriteOff, "2026-05-20");
        Assert.Equal(ReasonCodes.RecoveryPending, pending.WriteOff(D("2026-06-01"), true, "proof", PolicyOn(D("2026-06-01"))).Refusal!.Code);
    }

    [Fact]
    public void A_bank_recovery_of_a_written_off_claim_confirmed_posts_as_recovery_after_write_off()
    {
        var written = Approved(9000, PrincipalOnlyPolicy).WriteOffProven().Claim;
        var recorded = BankRecords(written, 10_000, on: "2027-01-10");
        var confirmed = recorded.Claim.ConfirmRecovery(recorded.Recovery!.Number, D("2027-01-12")).Value;
        Assert.Equal(ClaimPostingKind.RecoveryAfterWriteOff, confirmed.Posting!.Kind);
        Assert.Equal((Money.FromWholeYuan(9_000), Money.FromWholeYuan(1_000)), (confirmed.Recovery!.Split!.Value.Fund, confirmed.Recovery.Split.Value.Bank));
    }
}
