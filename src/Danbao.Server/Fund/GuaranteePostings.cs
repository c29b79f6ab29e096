using Danbao.Data.Accounting;
using Danbao.Data.Fund;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Leverage;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Danbao.Server.Calls;

namespace Danbao.Server.Fund;

/// <summary>
/// The guarantee side of the fund's ledger: issuing a guarantee (leverage-checked under the fund's
/// row lock) and releasing guaranteed principal as it is repaid or compensated. Called inside the
/// loan write's transaction, so the posting commits with the loan change or not at all.
/// </summary>
public static class GuaranteePostings
{
    public const string FundingSource = "FINANCE_CAPITAL";
    public const string IssuedKind = "guarantee_issued";
    public const string ReleasedKind = "guarantee_released";

    /// <summary>
    /// Locks the fund, checks leverage (outstanding + this loan ≤ k × fund balance, LEVERAGE_EXCEEDED
    /// otherwise) and posts the guarantee: D bank guaranteed_outstanding / C fund guarantees_outstanding.
    /// A fund without capital has no capacity: k × 0 = 0, so its first guarantee waits for a contribution.
    /// </summary>
    public static async Task<Result<Unit>> IssueAsync(WriteScope scope, LoanRecord record, string fundId, RegionCode fundRegion,
        DateOnly on, PolicyResolver policy, IEnumerable<PolicyVersion> shareVersions)
    {
        var session = scope.Session;
        var amount = record.Data.Amount;
        await FundAccounts.OpenFundAndBankAsync(session.Ledger, fundId, record.BankId);
        var versions = shareVersions.ToList();
        // One round trip: the lock first, so the balances are read under it.
        var (_, cash, guaranteed) = await session.ReadAsync(session.Funds.LockFund(fundId, fundRegion.Value),
            session.Funds.BalanceOrZero(FundAccounts.Cash(fundId)), session.Funds.BalanceOrZero(FundAccounts.GuaranteesOutstanding(fundId)));
        var balance = new Money(cash);
        var outstanding = new Money(guaranteed);
        var leverage = LeverageCheck.Check(outstanding, amount, balance, policy.At(fundRegion, on));
        if (!leverage.IsOk)
        {
            return leverage.Refusal;
        }
        versions.AddRange(leverage.Value.Versions);
        session.Ledger.Post(new LedgerTransactionRequest
        {
            Kind = IssuedKind,
            CauseType = "loan",
            CauseId = record.Data.Id,
            RequestId = scope.RequestId,
            FundingSource = FundingSource,
            PolicyVersions = versions.Select(v => v.Id).Distinct().ToList(),
            BusinessDate = on,
            Postings =
            [
                LedgerPosting.Debit(FundAccounts.BankGuaranteed(record.BankId), amount.Fen),
                LedgerPosting.Credit(FundAccounts.GuaranteesOutstanding(fundId), amount.Fen),
            ],
        });
        return Unit.Value;
    }

    /// <summary>
    /// Queues the release of up to <paramref name="principal"/> of the loan's guaranteed principal, never
    /// more than <paramref name="ledgerOutstanding"/> (what the journal holds guaranteed for it, loaded with
    /// the loan: <see cref="FundAccounts.GuaranteedOutstandingOf"/>): D fund guarantees_outstanding / C bank
    /// guaranteed_outstanding. Returns what is released (0 for a loan the ledger holds no guarantee for).
    /// </summary>
    public static Money Release(WriteScope scope, LoanRecord record, long ledgerOutstanding, Money principal, DateOnly on,
        IReadOnlyList<string> policyVersionIds)
    {
        var release = Math.Min(ledgerOutstanding, principal.Fen);
        if (record.GuaranteeFundId is not { } fundId || release <= 0)
        {
            return Money.Zero;
        }
        scope.Session.Ledger.Post(new LedgerTransactionRequest
        {
            Kind = ReleasedKind,
            CauseType = "loan",
            CauseId = record.Data.Id,
            RequestId = scope.RequestId,
            FundingSource = FundingSource,
            PolicyVersions = policyVersionIds,
            BusinessDate = on,
            Postings =
            [
                LedgerPosting.Debit(FundAccounts.GuaranteesOutstanding(fundId), release),
                LedgerPosting.Credit(FundAccounts.BankGuaranteed(record.BankId), release),
            ],
        });
        return new Money(release);
    }
}
