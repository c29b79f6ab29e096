namespace Danbao.Domain.Compensation;

/// <summary>The fund's loss share that governs a loan, and the versions it came from.</summary>
public sealed record RiskShareDecision(Ratio FundShare, bool HkMacauYouthRate, IReadOnlyList<PolicyVersion> Versions)
{
    public Ratio BankShare => FundShare.Complement();

    /// <summary>Who bears <see cref="FundShare"/>: the guarantee fund unless stated.</summary>
    public GuarantorType Guarantor { get; init; } = GuarantorType.GuaranteeFund;

    /// <summary>The share as stored with the guarantee, for claims, recoveries and write-offs to use.</summary>
    public StoredRiskShare ToStored() => new(FundShare, Guarantor, Versions.Select(v => v.Id).Distinct().ToArray());
}

/// <summary>
/// Loss sharing (policy.md §6), governed by the guarantee-contract date: fund 80% : bank 20%;
/// for a recognised HK/Macau youth loan, the regional HK/Macau share (Guangzhou 90%) where one is
/// in force, else the ordinary share. A government financing guarantee institution (政银担, §1)
/// bears RISK_SHARE_GOVERNMENT_GUARANTOR_BP. Decided once, at the guarantee, and stored.
/// </summary>
public static class RiskShare
{
    /// <param name="policy">Policy for the loan's region on the guarantee-contract date.</param>
    public static Result<RiskShareDecision> For(PolicySnapshot policy, bool hkMacauYouth) =>
        For(policy, hkMacauYouth, GuarantorType.GuaranteeFund);

    /// <param name="policy">Policy for the loan's region on the guarantee-contract date.</param>
    public static Result<RiskShareDecision> For(PolicySnapshot policy, bool hkMacauYouth, GuarantorType guarantor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return PolicyDecision.Run<RiskShareDecision>(() =>
        {
            // The HK/Macau youth rise is the fund's (穗人社规字〔2024〕2号); no text gives one for other guarantors.
            var special = hkMacauYouth && guarantor == GuarantorType.GuaranteeFund ? policy.TryGet(PolicyParameters.RiskShareFundHkMacauYouthBp) : null;
            var share = special?.AsRatio
                ?? (guarantor == GuarantorType.GovernmentFinancingGuarantor ? policy.RiskShareGovernmentGuarantor : policy.RiskShareFund);
            if (!share.IsShare)
                return new Refusal(ReasonCodes.RiskShareInvalid, $"{guarantor.ToCode()} share {share} is not within 0..100%", policy.Used.ToArray());
            return new RiskShareDecision(share, special is not null, policy.Used.ToArray()) { Guarantor = guarantor };
        });
    }
}
