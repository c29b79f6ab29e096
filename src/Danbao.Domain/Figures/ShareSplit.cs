namespace Danbao.Domain.Figures;

/// <summary>A base amount split between the guarantee fund (担保基金) and the handling bank (经办银行).</summary>
public readonly record struct SplitAmounts(Money Base, Ratio FundShare, Money Fund, Money Bank);

/// <summary>
/// Splits are exact to the fen (policy.md §6): the fund's share is rounded down and the bank's
/// share is the base minus the fund's, so the two always add up to the base.
/// Example: 100,000.05 at 9:1 → fund 90,000.04, bank 10,000.01.
/// </summary>
public static class ShareSplit
{
    public static SplitAmounts Split(Money amount, Ratio fundShare)
    {
        if (!fundShare.IsShare)
            throw new ArgumentOutOfRangeException(nameof(fundShare), fundShare, "a fund share must be within 0..100%");
        if (amount.IsNegative)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "cannot split a negative amount");
        // Integer arithmetic: fen × bp fits in decimal exactly; floor is the rounding-down rule.
        var fund = Rounding.DownToFen((decimal)amount.Fen * fundShare.Bp / 10_000m);
        var bank = amount - fund;
        if (fund + bank != amount || fund.IsNegative || bank.IsNegative)
            throw new InvalidOperationException($"split of {amount} at {fundShare} does not add up");
        return new SplitAmounts(amount, fundShare, fund, bank);
    }
}
