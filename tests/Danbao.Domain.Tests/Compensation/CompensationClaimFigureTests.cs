using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>policy.md §9 examples 7 and 8 through the claim aggregate, to the fen; write-off amounts.</summary>
public class CompensationClaimFigureTests
{
    [Theory]
    [InlineData(8000, "121,050.00", "30,262.50")]
    [InlineData(9000, "136,181.25", "15,131.25")]
    public void Example_7_a_claim_on_151312_50_is_split_by_the_stored_share(int fundBp, string fund, string bank)
    {
        var claim = Filed(fundBp).Data;
        Assert.Equal("151,312.50", claim.Base.ToString());
        Assert.Equal((fund, bank), (claim.FundPays.ToString(), claim.BankBears.ToString()));
        Assert.Equal(CompensationBaseMode.PrincipalAndInterest, claim.BaseMode);
    }

    [Theory]
    [InlineData(8000, 120_000, 30_000)]
    [InlineData(9000, 135_000, 15_000)]
    public void Example_7_principal_only_base(int fundBp, long fundYuan, long bankYuan)
    {
        var claim = Filed(fundBp, PrincipalOnlyPolicy).Data;
        Assert.Equal(CompensationBaseMode.PrincipalOnly, claim.BaseMode);
        Assert.Equal(Money.Zero, claim.UnpaidInterest);
        Assert.Equal((Money.FromWholeYuan(fundYuan), Money.FromWholeYuan(bankYuan)), (claim.FundPays, claim.BankBears));
        Assert.Contains("CN-GD-GZ:COMPENSATION_BASE_MODE:2025-01-01", claim.PolicyVersionIds);
    }

    [Fact]
    public void A_claim_filed_with_a_stored_8_to_2_share_splits_8_to_2_whatever_the_policy_says_now()
    {
        // The policy around the claim now gives the fund 90% in Guangzhou; the guarantee stored 80%.
        var policy = With(PolicyParameters.RiskShareFundBp, "CN-GD-GZ", "2025-01-01", "9000");
        Assert.Equal(new Ratio(9000), RiskShare.For(PolicyOn(ClaimDate, policy), hkMacauYouth: false).Value.FundShare);
        var claim = CompensationClaim.File(Filing(fundBp: 8000), PolicyOn(ClaimDate, policy)).Value.Data;
        Assert.Equal(new Ratio(8000), claim.FundShare);
        Assert.Equal(("121,050.00", "30,262.50"), (claim.FundPays.ToString(), claim.BankBears.ToString()));
        Assert.DoesNotContain(claim.PolicyVersionIds, id => id.Contains("RISK_SHARE", StringComparison.Ordinal) && id.StartsWith("CN-GD-GZ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(8000, "40,000.00", "10,000.00")]
    [InlineData(9000, "45,000.00", "5,000.00")]
    public void Example_8_a_recovery_of_50000_net_of_costs_is_shared_in_the_loss_ratio(int fundBp, string fund, string bank)
    {
        var recovered = Approved(fundBp, PrincipalOnlyPolicy).Recover(grossYuan: 52_000, costsYuan: 2_000);
        var split = recovered.Recovery!.Split!.Value;
        Assert.Equal((fund, bank), (split.Fund.ToString(), split.Bank.ToString()));
        Assert.Equal(ClaimPostingKind.Recovery, recovered.Posting!.Kind);
        Assert.Equal(new[]
        {
            (ClaimAccount.FundCash, PostingSide.Debit, fund), (ClaimAccount.FundRecoverable, PostingSide.Credit, fund),
            (ClaimAccount.BankRiskBorne, PostingSide.Debit, bank), (ClaimAccount.BankRecoverable, PostingSide.Credit, bank),
        }, recovered.Posting.Legs());
        Assert.Equal(Money.FromWholeYuan(50_000), recovered.Data.RecoveredNet);
    }

    [Fact]
    public void Recoveries_never_exceed_the_compensation_base()
    {
        var claim = Approved(8000, PrincipalOnlyPolicy).Recover(100_000).Claim;
        var refused = claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-04-01"), Yuan("50,000.01"), Money.Zero);
        Assert.Equal(ReasonCodes.RecoveryExceedsClaim, refused.Refusal!.Code);
        Assert.Equal("5000000", refused.Refusal.Details["remaining_fen"]);
        var last = claim.Recover(50_000, on: "2026-04-01");
        Assert.True(last.FullyRecovered);
        Assert.Equal((Money.FromWholeYuan(120_000), Money.FromWholeYuan(30_000)), (last.Data.RecoveredFund, last.Data.RecoveredBank));
    }

    [Fact]
    public void A_recovery_needs_positive_gross_and_costs_below_it()
    {
        var claim = Approved();
        Assert.Equal(ReasonCodes.RecoveryAmountInvalid, claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-01-05"), Money.Zero, Money.Zero).Refusal!.Code);
        Assert.Equal(ReasonCodes.RecoveryAmountInvalid, claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-01-05"), Money.FromWholeYuan(10), Money.FromWholeYuan(10)).Refusal!.Code);
    }

    [Fact]
    public void Write_off_takes_each_sides_unrecovered_share()
    {
        // Principal-only 8:2 (120,000 / 30,000), 50,000 recovered (40,000 / 10,000): 80,000 / 20,000 left.
        var claim = Approved(8000, PrincipalOnlyPolicy).Recover(50_000).Claim;
        Assert.Equal(new WriteOffAmounts(Money.FromWholeYuan(80_000), Money.FromWholeYuan(20_000)), claim.Unrecovered);
        var written = claim.WriteOffProven();
        Assert.Equal(CompensationClaimState.WrittenOff, written.To);
        Assert.Equal((Money.FromWholeYuan(80_000), Money.FromWholeYuan(20_000)), (written.Data.WrittenOffFund, written.Data.WrittenOffBank));
        Assert.Equal("court ruling: no assets", written.Data.WriteOffEvidence);
        Assert.Equal(ClaimPostingKind.WriteOff, written.Posting!.Kind);
        Assert.Equal(new[]
        {
            (ClaimAccount.FundCapital, PostingSide.Debit, "80,000.00"), (ClaimAccount.FundRecoverable, PostingSide.Credit, "80,000.00"),
            (ClaimAccount.BankWrittenOff, PostingSide.Debit, "20,000.00"), (ClaimAccount.BankRecoverable, PostingSide.Credit, "20,000.00"),
        }, written.Posting.Legs());
    }

    [Fact]
    public void Write_off_waits_24_months_after_compensation_unless_proven_uncollectable()
    {
        var claim = Approved().WithConsents(ClaimConsentStage.WriteOff, "2026-05-20");
        var early = claim.WriteOff(D("2027-10-14"), provenUncollectable: false, null, PolicyOn(D("2027-10-14")));
        Assert.Equal(ReasonCodes.WriteOffTooEarly, early.Refusal!.Code);
        Assert.True(claim.WriteOff(D("2027-10-15"), provenUncollectable: false, null, PolicyOn(D("2027-10-15"))).IsOk);
        Assert.Equal(ReasonCodes.WriteOffEvidenceRequired, claim.WriteOff(D("2026-06-01"), true, " ", PolicyOn(D("2026-06-01"))).Refusal!.Code);
        Assert.True(claim.WriteOff(D("2026-06-01"), true, "bankruptcy closed", PolicyOn(D("2026-06-01"))).IsOk);
    }

    [Fact]
    public void Write_off_needs_hrss_and_finance_confirmations()
    {
        var claim = Approved().RecordConsent(Consent(ClaimConsentStage.WriteOff, ClaimConsentParty.Finance, "2026-05-20")).Value.Claim;
        var refused = claim.WriteOff(D("2026-06-01"), true, "proof", PolicyOn(D("2026-06-01")));
        Assert.Equal(ReasonCodes.ConfirmationsMissing, refused.Refusal!.Code);
        Assert.Equal("HRSS", refused.Refusal.Details["missing"]);
    }

    [Fact]
    public void A_fully_recovered_claim_has_nothing_to_write_off()
    {
        var claim = Approved(8000, PrincipalOnlyPolicy).Recover(150_000).Claim;
        Assert.Equal(ReasonCodes.NothingToWriteOff,
            claim.WithConsents(ClaimConsentStage.WriteOff, "2026-05-20").WriteOff(D("2026-06-01"), true, "proof", PolicyOn(D("2026-06-01"))).Refusal!.Code);
    }
}
