using Danbao.Data.Accounting;
using Danbao.Data.Fund;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Ledger;
namespace Danbao.Server.Fund;

/// <summary>
/// Posts a claim's ledger transaction as the <see cref="CompensationClaim"/> aggregate decided it
/// (<see cref="ClaimPostingRecipe"/>: kind and legs by account role), cause = the claim. This class
/// maps roles to account codes and computes nothing. The posting is queued with the claim write's other
/// effects; its accounts are checked first, without a round trip once this process knows them.
/// </summary>
public static class ClaimPostings
{
    public static readonly string CompensationKind = ClaimPostingKind.Compensation.ToCode();
    public static readonly string RecoveryKind = ClaimPostingKind.Recovery.ToCode();
    public static readonly string WriteOffKind = ClaimPostingKind.WriteOff.ToCode();
    public static readonly string RecoveryAfterWriteOffKind = ClaimPostingKind.RecoveryAfterWriteOff.ToCode();

    public static async Task PostAsync(Calls.WriteScope scope, CompensationClaimData claim, ClaimPostingRecipe? recipe)
    {
        if (recipe is null)
        {
            return;
        }
        var request = new LedgerTransactionRequest
        {
            Kind = recipe.Kind.ToCode(),
            CauseType = "claim",
            CauseId = claim.Id,
            RequestId = scope.RequestId,
            FundingSource = GuaranteePostings.FundingSource,
            PolicyVersions = claim.PolicyVersionIds,
            BusinessDate = recipe.BusinessDate,
            Postings = recipe.Legs.Select(l => l.Side == PostingSide.Debit
                ? LedgerPosting.Debit(Code(l.Account, claim), l.Amount.Fen)
                : LedgerPosting.Credit(Code(l.Account, claim), l.Amount.Fen)).ToList(),
        };
        // A queued posting cannot be retried after opening a missing account, so the accounts are opened first.
        await FundAccounts.OpenFundAndBankAsync(scope.Session.Ledger, claim.FundId, claim.BankId);
        scope.Session.Ledger.Post(request);
    }

    /// <summary>The account code of a claim account role, in the claim's fund's or bank's books.</summary>
    public static string Code(ClaimAccount account, CompensationClaimData claim) => account switch
    {
        ClaimAccount.FundCash => FundAccounts.Cash(claim.FundId),
        ClaimAccount.FundCapital => FundAccounts.Capital(claim.FundId),
        ClaimAccount.FundRecoverable => FundAccounts.FundRecoverable(claim.FundId),
        ClaimAccount.BankRecoverable => FundAccounts.BankRecoverable(claim.BankId),
        ClaimAccount.BankRiskBorne => FundAccounts.BankRiskBorne(claim.BankId),
        _ => FundAccounts.BankWrittenOff(claim.BankId),
    };
}
