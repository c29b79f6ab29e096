namespace Danbao.Domain.Compensation;

/// <summary>
/// Splits one recovery of a series so that the running totals stay exact: the fund's part is
/// the fund's rounded-down share of everything recovered so far minus what it already got. Over
/// any sequence of recoveries the fund's parts add up to exactly ShareSplit of their total, so
/// recovering the whole base gives back exactly the compensation split (never a fen more to
/// either side), and each single recovery still splits in the loss ratio (policy.md §6, §9 ex. 8).
/// </summary>
public static class CumulativeRecoverySplit
{
    public static SplitAmounts Next(Money recoveredBefore, Money recoveredNow, Ratio fundShare)
    {
        if (recoveredBefore.IsNegative || !recoveredNow.IsPositive)
            throw new ArgumentOutOfRangeException(nameof(recoveredNow), recoveredNow, "a recovery must be positive and follow a non-negative total");
        var fundBefore = ShareSplit.Split(recoveredBefore, fundShare).Fund;
        var fundAfter = ShareSplit.Split(recoveredBefore + recoveredNow, fundShare).Fund;
        var fund = fundAfter - fundBefore;
        var bank = recoveredNow - fund;
        if (fund.IsNegative || bank.IsNegative || fund + bank != recoveredNow)
            throw new InvalidOperationException($"recovery split of {recoveredNow} after {recoveredBefore} at {fundShare} does not add up");
        return new SplitAmounts(recoveredNow, fundShare, fund, bank);
    }
}
