namespace Danbao.Domain.Eligibility;

/// <summary>
/// Partnership (合伙创业) cap = min(PARTNERSHIP_CAP_MULTIPLIER (110%) × Σ partners' individual caps,
/// enterprise cap), by contract date. 2023 rules, 3 partners: min(1.1 × 3 × 30万, 400万) = 99万.
/// </summary>
public static class PartnershipCap
{
    public static Money Compute(int partnerCount, Money individualCap, Ratio multiplier, Money enterpriseCap)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partnerCount);
        var sum = individualCap * partnerCount;
        var scaled = Rounding.DownToFen((decimal)sum.Fen * multiplier.Bp / 10_000m);
        return Money.Min(scaled, enterpriseCap);
    }

    public static Money Compute(int partnerCount, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Compute(partnerCount, policy.IndividualCap, policy.PartnershipCapMultiplier, policy.EnterpriseCap);
    }
}
