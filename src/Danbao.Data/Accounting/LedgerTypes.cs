namespace Danbao.Data.Accounting;

public enum LedgerAccountType
{
    Asset,
    Liability,
    Equity,
    Income,
    Expense,
}

/// <summary>
/// A ledger account. <paramref name="Code"/> reads "&lt;owner kind&gt;:&lt;institution&gt;:&lt;purpose&gt;",
/// e.g. <c>fund:GZ-FUND-1:capital</c> or <c>bank:ICBC-GZ:guaranteed_outstanding</c>. Currency is always CNY.
/// </summary>
public sealed record LedgerAccount(string Code, LedgerAccountType Type, string Institution);

/// <summary>One leg of a posting: exactly one of <see cref="DebitFen"/> and <see cref="CreditFen"/> is positive.</summary>
public readonly record struct LedgerPosting
{
    public LedgerPosting(string accountCode, long debitFen, long creditFen)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountCode);
        if (debitFen < 0 || creditFen < 0 || (debitFen > 0) == (creditFen > 0))
        {
            throw new ArgumentException(
                $"Posting to {accountCode} must have exactly one positive side (debit {debitFen} fen, credit {creditFen} fen).");
        }
        AccountCode = accountCode;
        DebitFen = debitFen;
        CreditFen = creditFen;
    }

    public string AccountCode { get; }
    public long DebitFen { get; }
    public long CreditFen { get; }
    public bool IsDebit => DebitFen > 0;
    public long AmountFen => IsDebit ? DebitFen : CreditFen;

    public static LedgerPosting Debit(string accountCode, long amountFen) => new(accountCode, amountFen, 0);

    public static LedgerPosting Credit(string accountCode, long amountFen) => new(accountCode, 0, amountFen);
}

/// <summary>One subject's share of a ledger transaction, e.g. one loan's line in a bank's quarterly settlement.</summary>
public readonly record struct LedgerLine(string SubjectType, string SubjectId, long AmountFen);

/// <summary>A business event to post: what caused it, under which policy versions, on which business date.</summary>
public sealed record LedgerTransactionRequest
{
    public const int PostingsMax = 10_000;

    public required string Kind { get; init; }
    public required string CauseType { get; init; }
    public required string CauseId { get; init; }
    public required string RequestId { get; init; }
    public string? FundingSource { get; init; }
    public IReadOnlyList<string> PolicyVersions { get; init; } = [];
    public required DateOnly BusinessDate { get; init; }
    public required IReadOnlyList<LedgerPosting> Postings { get; init; }

    /// <summary>Fails loudly before touching the database; the database checks the same again at commit.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Kind);
        ArgumentException.ThrowIfNullOrEmpty(CauseType);
        ArgumentException.ThrowIfNullOrEmpty(CauseId);
        ArgumentException.ThrowIfNullOrEmpty(RequestId);
        if (Postings is null || Postings.Count < 2 || Postings.Count > PostingsMax)
        {
            throw new ArgumentException($"A ledger transaction needs 2..{PostingsMax} postings; {Kind}/{CauseId} has {Postings?.Count ?? 0}.");
        }
        long debitsFen = 0;
        long creditsFen = 0;
        foreach (var posting in Postings)
        {
            if (posting.AccountCode is null)
            {
                throw new ArgumentException($"{Kind}/{CauseId} has a default (empty) posting.");
            }
            debitsFen = checked(debitsFen + posting.DebitFen);
            creditsFen = checked(creditsFen + posting.CreditFen);
        }
        if (debitsFen != creditsFen)
        {
            throw new LedgerUnbalancedException(
                $"{Kind}/{CauseId} is unbalanced: debits {debitsFen} fen, credits {creditsFen} fen.");
        }
    }
}

/// <summary>An account's position: totals of each side and the balance on its normal side.</summary>
public sealed record AccountBalance(string AccountCode, long DebitsFen, long CreditsFen, long BalanceFen);

/// <summary>Result of <see cref="Ledger.VerifyAsync"/>: empty problem lists mean the ledger is consistent.</summary>
public sealed record LedgerVerificationReport(
    long TransactionsChecked,
    long AccountsChecked,
    IReadOnlyList<string> UnbalancedTransactions,
    IReadOnlyList<string> BalanceMismatches)
{
    public const int ProblemsListedMax = 100;

    public bool IsConsistent => UnbalancedTransactions.Count == 0 && BalanceMismatches.Count == 0;
}

public sealed class LedgerUnbalancedException(string message) : Exception(message);

public sealed class UnknownLedgerAccountException(IReadOnlyList<string> codes)
    : Exception($"Unknown ledger account(s): {string.Join(", ", codes)}; open them with Ledger.OpenAccountAsync first.")
{
    public IReadOnlyList<string> Codes { get; } = codes;
}

public sealed class LedgerReversalException(string message, Exception? innerException = null) : Exception(message, innerException);
