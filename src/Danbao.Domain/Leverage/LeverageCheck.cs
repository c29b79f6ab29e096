namespace Danbao.Domain.Leverage;

/// <summary>The leverage limit and what is left under it after the new guarantee.</summary>
public sealed record LeverageDecision(Money Limit, Money OutstandingAfter, int Multiple, IReadOnlyList<PolicyVersion> Versions)
{
    public Money Headroom => Limit - OutstandingAfter;
}

/// <summary>
/// Leverage (放大倍数, policy.md §6): outstanding guarantees including the new one must not exceed
/// k × the fund's balance (default k = 5). 6,000万 × 5 → at most 3亿.
/// </summary>
public static class LeverageCheck
{
    public static Money Limit(Money fundBalance, int multiple) => fundBalance * multiple;

    public static Result<LeverageDecision> Check(Money outstandingGuarantees, Money newGuarantee, Money fundBalance, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return PolicyDecision.Run<LeverageDecision>(() =>
        {
            var k = policy.LeverageMultipleMax;
            var limit = Limit(fundBalance, k);
            var after = outstandingGuarantees + newGuarantee;
            return after <= limit
                ? new LeverageDecision(limit, after, k, policy.Used.ToArray())
                : new Refusal(ReasonCodes.LeverageExceeded,
                    $"outstanding guarantees would be {after}, above {k} × fund balance {fundBalance} = {limit}", policy.Used.ToArray());
        });
    }
}
