using Danbao.Data.Accounting;
using Npgsql;

namespace Danbao.Data.Fund;

/// <summary>
/// The chart of accounts of the guarantee fund's ledger (docs/fund-ledger.md). Codes read
/// <c>owner:institution:purpose</c>; institution ids use hyphens, which account codes allow.
/// Accounts are opened on demand, in the transaction that first posts to them.
/// </summary>
public static class FundAccounts
{
    /// <summary>The fund's money: the base of the leverage limit ("fund balance").</summary>
    public static string Cash(string fundId) => $"fund:{fundId}:cash";

    /// <summary>Capital contributed by finance bureaus, less write-offs of the fund's share.</summary>
    public static string Capital(string fundId) => $"fund:{fundId}:capital";

    /// <summary>Memo: principal outstanding under the fund's guarantees (its obligation).</summary>
    public static string GuaranteesOutstanding(string fundId) => $"fund:{fundId}:guarantees_outstanding";

    /// <summary>The fund's share of compensated debts, not yet recovered or written off (追偿权).</summary>
    public static string FundRecoverable(string fundId) => $"fund:{fundId}:recoverable";

    /// <summary>Memo: principal outstanding of the bank's loans under guarantee (contra of the fund's obligation).</summary>
    public static string BankGuaranteed(string bankId) => $"bank:{bankId}:guaranteed_outstanding";

    /// <summary>The bank's share of compensated debts, not yet recovered or written off.</summary>
    public static string BankRecoverable(string bankId) => $"bank:{bankId}:recoverable";

    /// <summary>The bank's own share of losses borne (its share at compensation, less its recoveries).</summary>
    public static string BankRiskBorne(string bankId) => $"bank:{bankId}:risk_borne";

    /// <summary>The bank's share written off (呆账核销), as recorded.</summary>
    public static string BankWrittenOff(string bankId) => $"bank:{bankId}:written_off";

    /// <summary>The finance bureau's contributions to guarantee funds.</summary>
    public static string FinanceContributions(string financeId) => $"finance:{financeId}:fund_contributions";

    /// <summary>The finance bureau's budget appropriations that paid for its contributions.</summary>
    public static string FinanceAppropriations(string financeId) => $"finance:{financeId}:appropriations";

    public static async Task OpenFundAsync(Ledger ledger, NpgsqlConnection conn, NpgsqlTransaction tx, string fundId, CancellationToken ct)
    {
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(Cash(fundId), LedgerAccountType.Asset, fundId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(Capital(fundId), LedgerAccountType.Equity, fundId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(GuaranteesOutstanding(fundId), LedgerAccountType.Liability, fundId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(FundRecoverable(fundId), LedgerAccountType.Asset, fundId), ct);
    }

    public static async Task OpenBankAsync(Ledger ledger, NpgsqlConnection conn, NpgsqlTransaction tx, string bankId, CancellationToken ct)
    {
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(BankGuaranteed(bankId), LedgerAccountType.Asset, bankId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(BankRecoverable(bankId), LedgerAccountType.Asset, bankId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(BankRiskBorne(bankId), LedgerAccountType.Liability, bankId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(BankWrittenOff(bankId), LedgerAccountType.Expense, bankId), ct);
    }

    public static async Task OpenFinanceAsync(Ledger ledger, NpgsqlConnection conn, NpgsqlTransaction tx, string financeId, CancellationToken ct)
    {
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(FinanceContributions(financeId), LedgerAccountType.Asset, financeId), ct);
        await ledger.OpenAccountAsync(conn, tx, new LedgerAccount(FinanceAppropriations(financeId), LedgerAccountType.Equity, financeId), ct);
    }
}
