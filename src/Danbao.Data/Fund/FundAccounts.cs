using Danbao.Data.Accounting;
using Danbao.Data.Sessions;
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

    /// <summary>
    /// What the ledger holds guaranteed for one loan: the net debit of its bank's
    /// <see cref="BankGuaranteed"/> account over the loan's postings, one row of the balances per
    /// (account, cause) the ledger keeps (0 for a loan never guaranteed in the ledger); for the load
    /// batch of a loan write.
    /// </summary>
    public static Query<long> GuaranteedOutstandingOf(string loanId) => GuaranteedOutstanding("$1", loanId);

    /// <summary><see cref="GuaranteedOutstandingOf"/> for the loan of a claim (by the claim's row), for a claim write's load batch.</summary>
    public static Query<long> GuaranteedOutstandingOfClaim(string claimId) =>
        GuaranteedOutstanding("(select loan_id from compensation_claims where id = $1)", claimId);

    private static Query<long> GuaranteedOutstanding(string loanSql, string key)
    {
        // The account code is BankGuaranteed(bank_id), built here from the loan's row so the figure
        // comes in the same batch as the loan itself.
        var cmd = new NpgsqlBatchCommand(
            $"""
            select coalesce((
                select case a.normal_side when 'D' then b.balance_fen else -b.balance_fen end
                from ledger_accounts a
                join ledger_cause_balances b on b.account_id = a.id and b.cause_type = 'loan' and b.cause_id = {loanSql}
                where a.code = (select 'bank:' || l.bank_id || ':guaranteed_outstanding' from loans l where l.id = {loanSql})), 0)::bigint
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        return new Query<long>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return r.GetInt64(0);
        });
    }

    /// <summary>The guarantee fund's accounts.</summary>
    public static LedgerAccount[] OfFund(string fundId) =>
    [
        new(Cash(fundId), LedgerAccountType.Asset, fundId),
        new(Capital(fundId), LedgerAccountType.Equity, fundId),
        new(GuaranteesOutstanding(fundId), LedgerAccountType.Liability, fundId),
        new(FundRecoverable(fundId), LedgerAccountType.Asset, fundId),
    ];

    /// <summary>A partner bank's accounts.</summary>
    public static LedgerAccount[] OfBank(string bankId) =>
    [
        new(BankGuaranteed(bankId), LedgerAccountType.Asset, bankId),
        new(BankRecoverable(bankId), LedgerAccountType.Asset, bankId),
        new(BankRiskBorne(bankId), LedgerAccountType.Liability, bankId),
        new(BankWrittenOff(bankId), LedgerAccountType.Expense, bankId),
    ];

    /// <summary>A finance bureau's accounts.</summary>
    public static LedgerAccount[] OfFinance(string financeId) =>
    [
        new(FinanceContributions(financeId), LedgerAccountType.Asset, financeId),
        new(FinanceAppropriations(financeId), LedgerAccountType.Equity, financeId),
    ];

    // The Open* methods take the session's ledger (session.Ledger): a round trip only for accounts this process has not seen.

    public static Task OpenFundAsync(Ledger ledger, string fundId) => Bound(ledger).OpenAccountsAsync(OfFund(fundId));

    public static Task OpenBankAsync(Ledger ledger, string bankId) => Bound(ledger).OpenAccountsAsync(OfBank(bankId));

    public static Task OpenFinanceAsync(Ledger ledger, string financeId) => Bound(ledger).OpenAccountsAsync(OfFinance(financeId));

    /// <summary>A fund's and a bank's accounts, in one round trip (none once both are known).</summary>
    public static Task OpenFundAndBankAsync(Ledger ledger, string fundId, string bankId) =>
        Bound(ledger).OpenAccountsAsync([.. OfFund(fundId), .. OfBank(bankId)]);

    private static Ledger Bound(Ledger ledger) => ledger ?? throw new ArgumentNullException(nameof(ledger));
}
