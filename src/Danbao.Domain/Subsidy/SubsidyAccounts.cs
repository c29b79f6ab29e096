namespace Danbao.Domain.Subsidy;

/// <summary>
/// Ledger accounts and recipes of the subsidy: finance pays the bank (expense → the bank's
/// "subsidy payable to borrowers"), the bank discharges it when it credits the borrower, and a
/// claw-back reverses the payment against the bank. One place, so the names match the ledger's.
/// </summary>
public static class SubsidyAccounts
{
    public const string Funding = "finance";

    public static string Expense(string bureauId) => $"finance:{bureauId}:subsidy_expense";

    /// <summary>The bank's liability: subsidy received for its borrowers, not yet credited to them.</summary>
    public static string Payable(string bankId) => $"bank:{bankId}:subsidy_payable";

    /// <summary>Where the bank's credits to borrowers go (the bank's clearing for borrower accounts).</summary>
    public static string PassedThrough(string bankId) => $"bank:{bankId}:subsidy_passed_through";

    /// <summary>Subject type of a recipe's statement lines: one per loan.</summary>
    public const string LineSubject = "loan";

    /// <summary>A recipe of <paramref name="total"/> whose statement lines the caller writes from stored lines (set-based settlement).</summary>
    internal static LedgerRecipe RecipeWithoutLines(string kind, string claimId, DateOnly on, string debit, string credit, Money total) =>
        new(kind, "subsidy_claim", claimId, on, Funding, [LedgerLeg.Debit(debit, total), LedgerLeg.Credit(credit, total)], []);

    internal static LedgerRecipe Recipe(string kind, string claimId, DateOnly on, string debit, string credit, IReadOnlyList<(string LoanId, Money Amount)> lines)
    {
        var total = Money.Sum(lines.Select(l => l.Amount));
        return new LedgerRecipe(kind, "subsidy_claim", claimId, on, Funding,
            [LedgerLeg.Debit(debit, total), LedgerLeg.Credit(credit, total)],
            lines.Select(l => new LedgerSubjectLine(LineSubject, l.LoanId, l.Amount)).ToArray());
    }
}
