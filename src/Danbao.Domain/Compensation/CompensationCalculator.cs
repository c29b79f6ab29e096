namespace Danbao.Domain.Compensation;

/// <summary>A compensation (代偿) payment: its base, how the base was made, and the fund/bank split.</summary>
public sealed record Compensation(
    CompensationBaseMode Mode,
    Money OutstandingPrincipal,
    Money UnpaidInterest,
    SplitAmounts Split,
    IReadOnlyList<PolicyVersion> Versions)
{
    public Money Base => Split.Base;

    public Money FundPays => Split.Fund;

    public Money BankBears => Split.Bank;
}

/// <summary>
/// Compensation base = outstanding principal + unpaid normal contract interest up to the claim
/// date (or principal only, by COMPENSATION_BASE_MODE), never penalty or compound interest;
/// split by the risk share with the fund's part rounded down (policy.md §6, §9 ex. 7).
/// </summary>
public static class CompensationCalculator
{
    /// <param name="unpaidNormalInterest">Normal interest accrued and unpaid to the claim date, already rounded
    /// (see <see cref="InterestCalculator"/>); penalty interest must not be included.</param>
    public static Compensation Compute(Money outstandingPrincipal, Money unpaidNormalInterest, CompensationBaseMode mode, Ratio fundShare, IReadOnlyList<PolicyVersion>? versions = null)
    {
        if (outstandingPrincipal.IsNegative || unpaidNormalInterest.IsNegative)
            throw new ArgumentException("principal and interest cannot be negative");
        var interest = mode == CompensationBaseMode.PrincipalOnly ? Money.Zero : unpaidNormalInterest;
        var split = ShareSplit.Split(outstandingPrincipal + interest, fundShare);
        return new Compensation(mode, outstandingPrincipal, interest, split, versions ?? Array.Empty<PolicyVersion>());
    }

    /// <summary>
    /// Looks up the base mode on the claim date and the risk share on the guarantee-contract date.
    /// </summary>
    public static Result<Compensation> Compute(Money outstandingPrincipal, Money unpaidNormalInterest, bool hkMacauYouth,
        PolicyResolver policy, RegionCode region, DateOnly guaranteeDate, DateOnly claimDate)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var onClaim = policy.At(region, claimDate);
        return RiskShare.For(policy.At(region, guaranteeDate), hkMacauYouth).Then(share => PolicyDecision.Run<Compensation>(() =>
        {
            var mode = onClaim.CompensationBaseMode;
            return Compute(outstandingPrincipal, unpaidNormalInterest, mode, share.FundShare,
                share.Versions.Concat(onClaim.Used).Distinct().ToArray());
        }));
    }
}
