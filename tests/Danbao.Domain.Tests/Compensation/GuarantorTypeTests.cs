using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>A government financing guarantee institution (政银担, policy.md §1) bears its own share, a policy parameter.</summary>
public class GuarantorTypeTests
{
    private static readonly PolicyResolver WithGovernmentShare = With(PolicyParameters.RiskShareGovernmentGuarantorBp, "CN-GD", "2021-01-01", "7000");

    [Fact]
    public void A_government_financing_guarantor_bears_its_own_parameterised_share()
    {
        var share = RiskShare.For(PolicyOn(D("2025-06-01"), WithGovernmentShare), hkMacauYouth: false, GuarantorType.GovernmentFinancingGuarantor).Value;
        Assert.Equal((new Ratio(7000), GuarantorType.GovernmentFinancingGuarantor), (share.FundShare, share.Guarantor));
        Assert.Contains(share.Versions, v => v.Key == PolicyParameters.RiskShareGovernmentGuarantorBp);
    }

    [Fact]
    public void The_hk_macau_youth_rise_is_the_funds_not_a_government_guarantors()
    {
        var share = RiskShare.For(PolicyOn(D("2025-06-01"), WithGovernmentShare), hkMacauYouth: true, GuarantorType.GovernmentFinancingGuarantor).Value;
        Assert.Equal(new Ratio(7000), share.FundShare);
        Assert.False(share.HkMacauYouthRate);
        Assert.Equal(new Ratio(9000), RiskShare.For(PolicyOn(D("2025-06-01")), hkMacauYouth: true).Value.FundShare);
    }

    [Fact]
    public void Without_a_government_guarantor_share_in_force_the_guarantee_is_refused_not_guessed()
    {
        var withoutShare = new PolicyResolver(PolicySeed.Resolver.Versions.Where(v => v.Key != PolicyParameters.RiskShareGovernmentGuarantorBp));
        var refused = RiskShare.For(PolicyOn(D("2025-06-01"), withoutShare), hkMacauYouth: false, GuarantorType.GovernmentFinancingGuarantor);
        Assert.Equal(ReasonCodes.PolicyParameterMissing, refused.Refusal!.Code);
    }

    [Fact]
    public void A_claim_under_a_government_guarantor_uses_the_share_stored_with_its_guarantee()
    {
        var stored = RiskShare.For(PolicyOn(D("2025-06-01"), WithGovernmentShare), false, GuarantorType.GovernmentFinancingGuarantor).Value.ToStored();
        var claim = CompensationClaim.File(Filing() with { Share = stored }, PolicyOn(ClaimDate)).Value.Data;
        Assert.Equal(GuarantorType.GovernmentFinancingGuarantor, claim.Guarantor);
        Assert.Equal(Yuan("105,918.75"), claim.FundPays);
        Assert.Equal(Yuan("45,393.75"), claim.BankBears);
        Assert.Contains("CN-GD:RISK_SHARE_GOVERNMENT_GUARANTOR_BP:2021-01-01", claim.PolicyVersionIds);
    }

    [Fact]
    public void Guarantor_type_codes_round_trip() =>
        Assert.All(Enum.GetValues<GuarantorType>(), t => Assert.Equal(t, GuarantorTypeCodes.FromCode(t.ToCode())));
}
