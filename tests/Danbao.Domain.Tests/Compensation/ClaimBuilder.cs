using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>
/// Compensation claims of policy.md §9 ex. 7: Guangzhou, 150,000 principal outstanding, 90 days'
/// unpaid interest at 3.50% = 1,312.50; overdue since 2025-06-21, so claimable from 2025-09-19.
/// </summary>
public static class ClaimBuilder
{
    public static readonly Money Principal = Money.FromWholeYuan(150_000);
    public static readonly Money Interest = Yuan("1,312.50");
    public static readonly DateOnly OverdueSince = D("2025-06-21");
    public static readonly DateOnly ClaimDate = D("2025-09-25");
    public static readonly DateOnly ApprovedOn = D("2025-10-15");
    public static readonly Money RichFund = Money.FromWholeYuan(60_000_000);

    /// <summary>The seeded policy, with the compensation base switched to principal only in Guangzhou from 2025-01-01.</summary>
    public static readonly PolicyResolver PrincipalOnlyPolicy = With(PolicyParameters.CompensationBaseMode, "CN-GD-GZ", "2025-01-01", PolicyParameters.PrincipalOnly);

    public static PolicyResolver With(string key, string region, string from, string value) =>
        new(PolicySeed.Resolver.Versions.Append(PolicyVersion.FromRow($"{region}:{key}:{from}", key, region, D(from), value, "test")));

    public static ClaimFiling Filing(int fundBp = 8000, DateOnly? claimDate = null, GuarantorType guarantor = GuarantorType.GuaranteeFund) => new()
    {
        ClaimId = "C0000000000001",
        LoanId = "L0000000000001",
        BankId = "gz-bank",
        FundId = "gz-fund",
        Region = RegionCode.Guangzhou,
        ClaimDate = claimDate ?? ClaimDate,
        OverdueSince = OverdueSince,
        OutstandingPrincipal = Principal,
        UnpaidNormalInterest = Interest,
        Share = new StoredRiskShare(new Ratio(fundBp), guarantor, ["CN:RISK_SHARE_FUND_BP:2020-01-01"]),
    };

    public static PolicySnapshot PolicyOn(DateOnly date, PolicyResolver? policy = null) => (policy ?? PolicySeed.Resolver).At(RegionCode.Guangzhou, date);

    public static CompensationClaim Filed(int fundBp = 8000, PolicyResolver? policy = null) =>
        CompensationClaim.File(Filing(fundBp), PolicyOn(ClaimDate, policy)).Value.Claim;

    public static ClaimConsent Consent(ClaimConsentStage stage, ClaimConsentParty party, string on = "2025-10-10") =>
        new(stage, party, party == ClaimConsentParty.Pboc ? "gz-fund" : "gz-" + party.ToCode().ToLowerInvariant(), "doc-" + party.ToCode(), D(on));

    public static CompensationClaim WithConsents(this CompensationClaim claim, ClaimConsentStage stage, string on = "2025-10-10")
    {
        foreach (var party in ClaimConsents.RequiredFor(stage))
            claim = claim.RecordConsent(Consent(stage, party, on)).Value.Claim;
        return claim;
    }

    public static CompensationClaim Approved(int fundBp = 8000, PolicyResolver? policy = null) =>
        Filed(fundBp, policy).WithConsents(ClaimConsentStage.Compensation).Approve(ApprovedOn, RichFund).Value.Claim;

    public static ClaimOutcome Recover(this CompensationClaim claim, long grossYuan, long costsYuan = 0, string on = "2026-03-01") =>
        claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D(on), Money.FromWholeYuan(grossYuan), Money.FromWholeYuan(costsYuan)).Value;

    public static ClaimOutcome WriteOffProven(this CompensationClaim claim, string on = "2026-06-01") =>
        claim.WithConsents(ClaimConsentStage.WriteOff, "2026-05-20")
            .WriteOff(D(on), provenUncollectable: true, "court ruling: no assets", PolicyOn(D(on))).Value;

    /// <summary>The legs as (account, side, yuan text), for exact comparison.</summary>
    public static (ClaimAccount, PostingSide, string)[] Legs(this ClaimPostingRecipe? recipe) =>
        recipe is null ? [] : recipe.Legs.Select(l => (l.Account, l.Side, l.Amount.ToString())).ToArray();
}
