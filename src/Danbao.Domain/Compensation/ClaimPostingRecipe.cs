namespace Danbao.Domain.Compensation;

/// <summary>Whose books an account is in. Each recipe balances per owner (docs/fund-ledger.md).</summary>
public enum LedgerOwner
{
    Fund,
    Bank,
}

/// <summary>
/// The claim accounts of the fund's ledger, by role; the caller maps them to account codes
/// (fund:{fund}:…, bank:{bank}:…, Danbao.Data FundAccounts).
/// </summary>
public enum ClaimAccount
{
    /// <summary>fund:{fund}:cash — the fund's money.</summary>
    FundCash,

    /// <summary>fund:{fund}:capital — contributed capital, less the fund's write-offs.</summary>
    FundCapital,

    /// <summary>fund:{fund}:recoverable — the fund's share of compensated debts (追偿权).</summary>
    FundRecoverable,

    /// <summary>bank:{bank}:recoverable — the bank's share of compensated debts.</summary>
    BankRecoverable,

    /// <summary>bank:{bank}:risk_borne — the bank's own share of losses, less its recoveries.</summary>
    BankRiskBorne,

    /// <summary>bank:{bank}:written_off — the bank's share written off.</summary>
    BankWrittenOff,
}

/// <summary>The ledger kind of a claim posting; <see cref="ClaimPostingKinds.ToCode"/> gives the stored code.</summary>
public enum ClaimPostingKind
{
    Compensation,
    Recovery,
    WriteOff,

    /// <summary>A recovery of a written-off claim (账销案存): restores what the write-off took, not the recoverable.</summary>
    RecoveryAfterWriteOff,
}

public static class ClaimPostingKinds
{
    public static string ToCode(this ClaimPostingKind kind) => kind switch
    {
        ClaimPostingKind.Compensation => "compensation",
        ClaimPostingKind.Recovery => "recovery",
        ClaimPostingKind.WriteOff => "write_off",
        _ => "recovery_after_write_off",
    };

    public static LedgerOwner Owner(this ClaimAccount account) =>
        account is ClaimAccount.FundCash or ClaimAccount.FundCapital or ClaimAccount.FundRecoverable ? LedgerOwner.Fund : LedgerOwner.Bank;
}

public readonly record struct ClaimPostingLeg(ClaimAccount Account, PostingSide Side, Money Amount);

/// <summary>
/// A ledger transaction to post for a claim, as plain data: kind, business date and legs. The
/// domain decides accounts and amounts; the caller posts it (cause = the claim) in the same
/// transaction as the claim's new state. Zero legs are left out; the legs balance per owner.
/// </summary>
public sealed record ClaimPostingRecipe
{
    private ClaimPostingRecipe(ClaimPostingKind kind, DateOnly businessDate, IReadOnlyList<ClaimPostingLeg> legs)
    {
        Kind = kind;
        BusinessDate = businessDate;
        Legs = legs;
    }

    public ClaimPostingKind Kind { get; }

    public DateOnly BusinessDate { get; }

    public IReadOnlyList<ClaimPostingLeg> Legs { get; }

    /// <summary>
    /// Compensation paid: D fund recoverable / C fund cash — the fund's share;
    /// D bank recoverable / C bank risk_borne — the bank's share.
    /// </summary>
    public static ClaimPostingRecipe? Compensation(DateOnly on, SplitAmounts split) =>
        Build(ClaimPostingKind.Compensation, on,
            Pair(ClaimAccount.FundRecoverable, ClaimAccount.FundCash, split.Fund),
            Pair(ClaimAccount.BankRecoverable, ClaimAccount.BankRiskBorne, split.Bank));

    /// <summary>A recovery: the fund's part back to its cash; the bank's part reduces the loss it bore.</summary>
    public static ClaimPostingRecipe? Recovery(DateOnly on, Money fund, Money bank) =>
        Build(ClaimPostingKind.Recovery, on,
            Pair(ClaimAccount.FundCash, ClaimAccount.FundRecoverable, fund),
            Pair(ClaimAccount.BankRiskBorne, ClaimAccount.BankRecoverable, bank));

    /// <summary>Write-off: the fund's unrecovered share against its capital; the bank's as its write-off.</summary>
    public static ClaimPostingRecipe? WriteOff(DateOnly on, Money fund, Money bank) =>
        Build(ClaimPostingKind.WriteOff, on,
            Pair(ClaimAccount.FundCapital, ClaimAccount.FundRecoverable, fund),
            Pair(ClaimAccount.BankWrittenOff, ClaimAccount.BankRecoverable, bank));

    /// <summary>
    /// A recovery after write-off: the recoverables are already zero, so the money restores what the
    /// write-off took — D fund cash / C fund capital; D bank risk_borne / C bank written_off.
    /// </summary>
    public static ClaimPostingRecipe? RecoveryAfterWriteOff(DateOnly on, Money fund, Money bank) =>
        Build(ClaimPostingKind.RecoveryAfterWriteOff, on,
            Pair(ClaimAccount.FundCash, ClaimAccount.FundCapital, fund),
            Pair(ClaimAccount.BankRiskBorne, ClaimAccount.BankWrittenOff, bank));

    /// <summary>Total debited to the accounts of <paramref name="owner"/> (equal to the total credited).</summary>
    public Money Total(LedgerOwner owner) =>
        Money.Sum(Legs.Where(l => l.Side == PostingSide.Debit && l.Account.Owner() == owner).Select(l => l.Amount));

    private static ClaimPostingLeg[] Pair(ClaimAccount debit, ClaimAccount credit, Money amount)
    {
        if (amount.IsNegative)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "a posting amount cannot be negative");
        if (debit.Owner() != credit.Owner())
            throw new ArgumentException($"{debit} and {credit} are in different books");
        return amount.IsZero ? [] : [new(debit, PostingSide.Debit, amount), new(credit, PostingSide.Credit, amount)];
    }

    private static ClaimPostingRecipe? Build(ClaimPostingKind kind, DateOnly on, params ClaimPostingLeg[][] pairs)
    {
        var legs = pairs.SelectMany(p => p).ToArray();
        return legs.Length == 0 ? null : new ClaimPostingRecipe(kind, on, legs);
    }
}
