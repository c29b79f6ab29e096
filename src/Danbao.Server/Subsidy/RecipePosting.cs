using Danbao.Data.Accounting;
using Danbao.Domain;
using Danbao.Domain.Ledger;
using Danbao.Data.Sessions;

namespace Danbao.Server.Subsidy;

/// <summary>
/// Posts a domain <see cref="LedgerRecipe"/> (subsidy settlement, claw-back, pass-through, award) as it is:
/// opens its accounts and writes one ledger transaction with its statement lines. Nothing is computed here.
/// </summary>
public static class RecipePosting
{
    /// <summary>
    /// Posts the recipe in the write's session: the session's queued statements and the posting go in one round trip
    /// (then the lines' COPY, if it has lines). Returns the ledger transaction's id.
    /// </summary>
    public static async Task<long> PostAsync(DbSession session, LedgerRecipe recipe, string requestId, IReadOnlyList<string> policyVersionIds)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(recipe);
        var ledger = session.Ledger;
        // One round trip for all of them (none once they are known committed).
        await ledger.OpenAccountsAsync(recipe.Legs.Select(l => l.Account).Distinct(StringComparer.Ordinal)
            .Select(account => new LedgerAccount(account, TypeOf(account), InstitutionOf(account))).ToList());
        var request = new LedgerTransactionRequest
        {
            Kind = recipe.Kind,
            CauseType = recipe.CauseType,
            CauseId = recipe.CauseId,
            RequestId = requestId,
            FundingSource = recipe.FundingSource,
            PolicyVersions = policyVersionIds,
            BusinessDate = recipe.BusinessDate,
            Postings = recipe.Legs.Select(l => l.Side == PostingSide.Debit ? LedgerPosting.Debit(l.Account, l.Amount.Fen) : LedgerPosting.Credit(l.Account, l.Amount.Fen)).ToArray(),
        };
        return recipe.Lines.Count == 0
            ? await session.ReadAsync(ledger.Posted(request))
            : await ledger.PostWithLinesAsync(request, recipe.Lines.Select(l => new LedgerLine(l.SubjectType, l.SubjectId, l.Amount.Fen)));
    }

    /// <summary>The account kinds of subsidy and award recipes: "{owner}:{institution}:{purpose}".</summary>
    private static LedgerAccountType TypeOf(string code) =>
        code.EndsWith("_expense", StringComparison.Ordinal) ? LedgerAccountType.Expense
        : code.EndsWith("_payable", StringComparison.Ordinal) ? LedgerAccountType.Liability
        : code.EndsWith("_passed_through", StringComparison.Ordinal) ? LedgerAccountType.Asset
        : throw new InvalidOperationException($"no account type known for {code}");

    private static string InstitutionOf(string code) => code.Split(':') is { Length: 3 } parts ? parts[1] : throw new InvalidOperationException($"account {code} is not owner:institution:purpose");
}
