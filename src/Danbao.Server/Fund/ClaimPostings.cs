using Danbao.Data.Accounting;
using Danbao.Data.Fund;
using Danbao.Domain;

namespace Danbao.Server.Fund;

/// <summary>
/// The claim side of the fund's ledger (cause = the claim): compensation paid, recoveries shared
/// back, write-offs. Zero legs are left out; each transaction balances fund legs against fund legs
/// and bank legs against bank legs, so each institution's position balances on its own.
/// </summary>
public static class ClaimPostings
{
    public const string CompensationKind = "compensation";
    public const string RecoveryKind = "recovery";
    public const string WriteOffKind = "write_off";

    /// <summary>The fund pays its share (D fund recoverable / C fund cash); the bank's share is recorded (D bank recoverable / C bank risk_borne).</summary>
    public static Task<long?> CompensationAsync(Calls.WriteScope scope, ClaimRecord claim, DateOnly on) =>
        PostAsync(scope, claim, CompensationKind, on,
            Pair(FundAccounts.FundRecoverable(claim.FundId), FundAccounts.Cash(claim.FundId), claim.FundFen)
                .Concat(Pair(FundAccounts.BankRecoverable(claim.BankId), FundAccounts.BankRiskBorne(claim.BankId), claim.BankFen)));

    /// <summary>A recovery: the fund's part back to its cash, the bank's part reduces the loss it bore.</summary>
    public static Task<long?> RecoveryAsync(Calls.WriteScope scope, ClaimRecord claim, SplitAmounts split, DateOnly on) =>
        PostAsync(scope, claim, RecoveryKind, on,
            Pair(FundAccounts.Cash(claim.FundId), FundAccounts.FundRecoverable(claim.FundId), split.Fund.Fen)
                .Concat(Pair(FundAccounts.BankRiskBorne(claim.BankId), FundAccounts.BankRecoverable(claim.BankId), split.Bank.Fen)));

    /// <summary>Write-off: the fund's unrecovered share against its capital; the bank's recorded as its write-off.</summary>
    public static Task<long?> WriteOffAsync(Calls.WriteScope scope, ClaimRecord claim, long fundFen, long bankFen, DateOnly on) =>
        PostAsync(scope, claim, WriteOffKind, on,
            Pair(FundAccounts.Capital(claim.FundId), FundAccounts.FundRecoverable(claim.FundId), fundFen)
                .Concat(Pair(FundAccounts.BankWrittenOff(claim.BankId), FundAccounts.BankRecoverable(claim.BankId), bankFen)));

    private static IEnumerable<LedgerPosting> Pair(string debit, string credit, long amountFen) =>
        amountFen > 0 ? [LedgerPosting.Debit(debit, amountFen), LedgerPosting.Credit(credit, amountFen)] : [];

    private static async Task<long?> PostAsync(Calls.WriteScope scope, ClaimRecord claim, string kind, DateOnly on, IEnumerable<LedgerPosting> postings)
    {
        var list = postings.ToList();
        if (list.Count == 0)
        {
            return null;
        }
        var (conn, tx, ct) = (scope.Connection, scope.Transaction, scope.CancellationToken);
        await FundAccounts.OpenFundAsync(GuaranteePostings.Ledger, conn, tx, claim.FundId, ct);
        await FundAccounts.OpenBankAsync(GuaranteePostings.Ledger, conn, tx, claim.BankId, ct);
        return await GuaranteePostings.Ledger.PostAsync(conn, tx, new LedgerTransactionRequest
        {
            Kind = kind,
            CauseType = "claim",
            CauseId = claim.Id,
            RequestId = scope.RequestId,
            FundingSource = GuaranteePostings.FundingSource,
            PolicyVersions = claim.PolicyVersionIds,
            BusinessDate = on,
            Postings = list,
        }, ct);
    }
}
