using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>The claim's state machine (policy.md §6): every step checks its state and says why not.</summary>
public class CompensationClaimStateTests
{
    private static readonly Dictionary<string, Func<CompensationClaim>> Claims = new()
    {
        ["FILED"] = () => Filed(),
        ["APPROVED"] = () => Approved(),
        ["REJECTED"] = () => Filed().Reject(D("2025-10-01"), "loan not under this fund's guarantee").Value.Claim,
        ["WRITTEN_OFF"] = () => Approved().WriteOffProven().Claim,
    };

    private static readonly Dictionary<string, Func<CompensationClaim, Result<ClaimOutcome>>> Steps = new()
    {
        ["approve"] = c => c.Approve(D("2026-07-01"), RichFund),
        ["reject"] = c => c.Reject(D("2026-07-01"), "no"),
        ["compensation consent"] = c => c.RecordConsent(Consent(ClaimConsentStage.Compensation, ClaimConsentParty.Hrss, "2026-07-01")),
        ["write-off consent"] = c => c.RecordConsent(Consent(ClaimConsentStage.WriteOff, ClaimConsentParty.Hrss, "2026-07-01")),
        ["recovery"] = c => c.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2026-07-01"), Money.FromWholeYuan(1_000), Money.Zero),
        ["confirm recovery"] = c => c.ConfirmRecovery(1, D("2026-07-01")),
        ["write-off"] = c => c.WriteOff(D("2026-07-01"), true, "proof", PolicyOn(D("2026-07-01"))),
    };

    /// <summary>Every step a state does not allow, with the reason code it is refused with.</summary>
    public static TheoryData<string, string, string> IllegalSteps => new()
    {
        { "FILED", "write-off consent", ReasonCodes.ClaimNotPaid },
        { "FILED", "recovery", ReasonCodes.ClaimNotPaid },
        { "FILED", "confirm recovery", ReasonCodes.ClaimNotPaid },
        { "FILED", "write-off", ReasonCodes.ClaimNotPaid },
        { "APPROVED", "approve", ReasonCodes.ClaimNotPending },
        { "APPROVED", "reject", ReasonCodes.ClaimNotPending },
        { "APPROVED", "compensation consent", ReasonCodes.ClaimNotPending },
        { "REJECTED", "approve", ReasonCodes.ClaimNotPending },
        { "REJECTED", "reject", ReasonCodes.ClaimNotPending },
        { "REJECTED", "compensation consent", ReasonCodes.ClaimNotPending },
        { "REJECTED", "write-off consent", ReasonCodes.ClaimNotPaid },
        { "REJECTED", "recovery", ReasonCodes.ClaimNotPaid },
        { "REJECTED", "confirm recovery", ReasonCodes.ClaimNotPaid },
        { "REJECTED", "write-off", ReasonCodes.ClaimNotPaid },
        { "WRITTEN_OFF", "approve", ReasonCodes.ClaimNotPending },
        { "WRITTEN_OFF", "reject", ReasonCodes.ClaimNotPending },
        { "WRITTEN_OFF", "compensation consent", ReasonCodes.ClaimNotPending },
        { "WRITTEN_OFF", "write-off consent", ReasonCodes.ClaimNotPaid },
        { "WRITTEN_OFF", "write-off", ReasonCodes.ClaimNotPaid },
    };

    [Theory]
    [MemberData(nameof(IllegalSteps))]
    public void A_step_the_claims_state_does_not_allow_is_refused_with_its_reason(string state, string step, string code)
    {
        var claim = Claims[state]();
        Assert.Equal(state, claim.State.ToCode());
        var result = Steps[step](claim);
        Assert.False(result.IsOk);
        Assert.Equal(code, result.Refusal.Code);
        Assert.Equal(state, result.Refusal.Details["state"]);
    }

    [Fact]
    public void Every_state_and_step_pair_is_either_allowed_or_listed_as_illegal()
    {
        // Allowed from each state (confirm needs a pending recovery, so it is refused as RECOVERY_NOT_PENDING when legal).
        var allowed = new HashSet<(string, string)>
        {
            ("FILED", "approve"), ("FILED", "reject"), ("FILED", "compensation consent"),
            ("APPROVED", "write-off consent"), ("APPROVED", "recovery"), ("APPROVED", "confirm recovery"), ("APPROVED", "write-off"),
            ("WRITTEN_OFF", "recovery"), ("WRITTEN_OFF", "confirm recovery"),
        };
        var illegal = IllegalSteps.Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        foreach (var state in Claims.Keys)
        {
            foreach (var step in Steps.Keys)
            {
                Assert.True(allowed.Contains((state, step)) ^ illegal.Contains((state, step)), $"{state} / {step}");
                if (allowed.Contains((state, step)))
                {
                    var result = Steps[step](Claims[state]());
                    Assert.True(result.IsOk || result.Refusal.Code is not (ReasonCodes.ClaimNotPaid or ReasonCodes.ClaimNotPending), $"{state} / {step}: {result}");
                }
            }
        }
    }

    [Fact]
    public void Approval_needs_the_consents_of_hrss_finance_and_pboc()
    {
        var claim = Filed().RecordConsent(Consent(ClaimConsentStage.Compensation, ClaimConsentParty.Hrss)).Value.Claim;
        var refused = claim.Approve(ApprovedOn, RichFund);
        Assert.Equal(ReasonCodes.ConsentsMissing, refused.Refusal!.Code);
        Assert.Equal("FINANCE,PBOC", refused.Refusal.Details["missing"]);
        Assert.True(claim.WithConsentsFrom(ClaimConsentParty.Finance, ClaimConsentParty.Pboc).Approve(ApprovedOn, RichFund).IsOk);
    }

    [Fact]
    public void Approval_needs_the_fund_to_hold_its_share()
    {
        var claim = Filed().WithConsents(ClaimConsentStage.Compensation);
        var refused = claim.Approve(ApprovedOn, Yuan("121,049.99"));
        Assert.Equal(ReasonCodes.FundBalanceInsufficient, refused.Refusal!.Code);
        Assert.Equal("12105000", refused.Refusal.Details["fund_fen"]);
        var paid = claim.Approve(ApprovedOn, Yuan("121,050.00")).Value;
        Assert.Equal(CompensationClaimState.Approved, paid.To);
        Assert.Equal(ApprovedOn, paid.Data.DecidedDate);
    }

    [Fact]
    public void Approval_pays_the_fund_share_and_records_the_bank_share()
    {
        var paid = Filed().WithConsents(ClaimConsentStage.Compensation).Approve(ApprovedOn, RichFund).Value;
        Assert.Equal(ClaimPostingKind.Compensation, paid.Posting!.Kind);
        Assert.Equal("compensation", paid.Posting.Kind.ToCode());
        Assert.Equal(ApprovedOn, paid.Posting.BusinessDate);
        Assert.Equal(new[]
        {
            (ClaimAccount.FundRecoverable, PostingSide.Debit, "121,050.00"), (ClaimAccount.FundCash, PostingSide.Credit, "121,050.00"),
            (ClaimAccount.BankRecoverable, PostingSide.Debit, "30,262.50"), (ClaimAccount.BankRiskBorne, PostingSide.Credit, "30,262.50"),
        }, paid.Posting.Legs());
    }

    [Fact]
    public void Rejection_names_its_reason_and_pays_nothing()
    {
        var claim = Filed();
        Assert.Equal(ReasonCodes.RejectionReasonRequired, claim.Reject(ApprovedOn, "  ").Refusal!.Code);
        var rejected = claim.Reject(ApprovedOn, "overdue days counted from a cured instalment").Value;
        Assert.Equal(CompensationClaimState.Rejected, rejected.To);
        Assert.Equal("overdue days counted from a cured instalment", rejected.Data.RejectionReason);
        Assert.Null(rejected.Posting);
    }

    [Fact]
    public void Each_party_consents_once_per_stage()
    {
        var claim = Filed().RecordConsent(Consent(ClaimConsentStage.Compensation, ClaimConsentParty.Pboc)).Value.Claim;
        Assert.Equal(ReasonCodes.ConsentAlreadyRecorded, claim.RecordConsent(Consent(ClaimConsentStage.Compensation, ClaimConsentParty.Pboc)).Refusal!.Code);
    }

    [Fact]
    public void Pboc_takes_no_part_in_a_write_off()
    {
        var refused = Approved().RecordConsent(Consent(ClaimConsentStage.WriteOff, ClaimConsentParty.Pboc, "2026-05-20"));
        Assert.Equal(ReasonCodes.ConsentPartyNotRequired, refused.Refusal!.Code);
    }

    [Fact]
    public void A_decision_cannot_be_dated_before_the_claim()
    {
        var claim = Filed().WithConsents(ClaimConsentStage.Compensation);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, claim.Approve(ClaimDate.AddDays(-1), RichFund).Refusal!.Code);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, claim.Reject(ClaimDate.AddDays(-1), "late").Refusal!.Code);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent,
            Approved().RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", ApprovedOn.AddDays(-1), Money.FromWholeYuan(1), Money.Zero).Refusal!.Code);
    }

    [Fact]
    public void Filing_needs_more_than_90_days_overdue()
    {
        // Overdue since 2025-06-21: 90 days on 2025-09-18, 91 on 2025-09-19.
        var early = CompensationClaim.File(Filing(claimDate: D("2025-09-18")), PolicyOn(D("2025-09-18")));
        Assert.Equal(ReasonCodes.NotOverdueLongEnough, early.Refusal!.Code);
        var filed = CompensationClaim.File(Filing(claimDate: D("2025-09-19")), PolicyOn(D("2025-09-19"))).Value;
        Assert.Equal(91, filed.Data.OverdueDays);
        Assert.Equal(CompensationClaimState.Filed, filed.To);
        Assert.Null(filed.Posting);
    }

    [Fact]
    public void State_codes_round_trip_and_match_the_database()
    {
        Assert.Equal(new[] { "FILED", "APPROVED", "REJECTED", "WRITTEN_OFF" }, Enum.GetValues<CompensationClaimState>().Select(s => s.ToCode()));
        Assert.All(Enum.GetValues<CompensationClaimState>(), s => Assert.Equal(s, CompensationClaimStateCodes.FromCode(s.ToCode())));
    }
}

internal static class ConsentSteps
{
    public static CompensationClaim WithConsentsFrom(this CompensationClaim claim, params ClaimConsentParty[] parties)
    {
        foreach (var party in parties)
            claim = claim.RecordConsent(ClaimBuilder.Consent(ClaimConsentStage.Compensation, party)).Value.Claim;
        return claim;
    }
}
