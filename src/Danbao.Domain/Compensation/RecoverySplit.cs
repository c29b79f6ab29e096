namespace Danbao.Domain.Compensation;

/// <summary>
/// Recovery (追偿): amounts recovered after compensation, net of costs, are shared back in the
/// same ratio as the loss (policy.md §6, §9 ex. 8): 50,000 at 8:2 → fund 40,000, bank 10,000.
/// </summary>
public static class RecoverySplit
{
    public static SplitAmounts Split(Money recoveredNetOfCosts, Ratio fundShare) => ShareSplit.Split(recoveredNetOfCosts, fundShare);
}
