namespace Danbao.Domain;

/// <summary>The fund's loss share that governs a loan, and the versions it came from.</summary>
public sealed record RiskShareDecision(Ratio FundShare, bool HkMacauYouthRate, IReadOnlyList<PolicyVersion> Versions)
{
    public Ratio BankShare => FundShare.Complement();
}

/// <summary>
/// Loss sharing (policy.md §6), governed by the guarantee-contract date: fund 80% : bank 20%;
/// for a recognised HK/Macau youth loan, the regional HK/Macau share (Guangzhou 90%) where one is
/// in force, else the ordinary share.
/// </summary>
public static class RiskShare
{
    /// <param name="policy">Policy for the loan's region on the guarantee-contract date.</param>
    public static Result<RiskShareDecision> For(PolicySnapshot policy, bool hkMacauYouth)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return PolicyDecision.Run<RiskShareDecision>(() =>
        {
            var special = hkMacauYouth ? policy.TryGet(PolicyParameters.RiskShareFundHkMacauYouthBp) : null;
            var share = special?.AsRatio ?? policy.RiskShareFund;
            if (!share.IsShare)
                return new Refusal(ReasonCodes.RiskShareInvalid, $"fund share {share} is not within 0..100%", policy.Used.ToArray());
            return new RiskShareDecision(share, special is not null, policy.Used.ToArray());
        });
    }
}
