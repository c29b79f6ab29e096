namespace Danbao.Domain.Eligibility;

/// <summary>
/// Counter-guarantee (反担保), policy.md §3: none may be required for personal loans (个人 and
/// 合伙创业) at or below COUNTER_GUARANTEE_THRESHOLD (10万, 粤府办〔2023〕13号). Enterprise loans, and
/// personal loans above the threshold, need one when the fund requires it: COUNTER_GUARANTEE_REQUIRED,
/// whose product default [A] is "required" (so a region with no version in force still requires it).
/// </summary>
public static class CounterGuaranteeRule
{
    public static bool IsExempt(BorrowerType type, Money amount, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return type is BorrowerType.Individual or BorrowerType.Partnership && amount <= policy.CounterGuaranteeThreshold;
    }

    public static bool IsRequired(BorrowerType type, Money amount, PolicySnapshot policy)
    {
        if (IsExempt(type, amount, policy))
            return false;
        // [A] The fund's own requirement; "required" when no version says otherwise.
        return policy.TryGet(PolicyParameters.CounterGuaranteeRequired)?.AsBool ?? true;
    }

    internal static string Why(BorrowerType type, Money amount, Money threshold) => type == BorrowerType.Enterprise
        ? $"enterprise loans need a counter-guarantee (the exemption at or below {threshold} is for personal loans only); {amount} has none"
        : $"personal loans above {threshold} need a counter-guarantee; {amount} has none";
}
