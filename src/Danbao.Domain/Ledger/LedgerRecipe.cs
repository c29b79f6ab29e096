namespace Danbao.Domain.Ledger;

/// <summary>Which side of an account a leg posts to.</summary>
public enum PostingSide
{
    Debit,
    Credit,
}

/// <summary>One leg of a ledger transaction: an account, a side and a positive amount.</summary>
public sealed record LedgerLeg(string Account, PostingSide Side, Money Amount)
{
    public static LedgerLeg Debit(string account, Money amount) => new(account, PostingSide.Debit, amount);

    public static LedgerLeg Credit(string account, Money amount) => new(account, PostingSide.Credit, amount);
}

/// <summary>A statement line under a transaction (e.g. the loan a subsidy fen belongs to): subject type, id, amount.</summary>
public sealed record LedgerSubjectLine(string SubjectType, string SubjectId, Money Amount);

/// <summary>
/// What the caller must post, as plain data: the domain decides, the data layer persists. Balanced
/// (debits = credits) and, when statement lines are given, they add up to the debits; both are
/// checked here, so a recipe that reaches the ledger cannot be unbalanced.
/// </summary>
public sealed record LedgerRecipe
{
    /// <summary>Legs per recipe: one per award recipient plus the expense at most.</summary>
    public const int LegsMax = 10_001;

    public LedgerRecipe(string kind, string causeType, string causeId, DateOnly businessDate, string fundingSource,
        IReadOnlyList<LedgerLeg> legs, IReadOnlyList<LedgerSubjectLine> lines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(legs);
        ArgumentNullException.ThrowIfNull(lines);
        if (legs.Count is < 2 or > LegsMax || legs.Any(l => !l.Amount.IsPositive))
            throw new ArgumentException($"a recipe has 2..{LegsMax} legs of positive amounts", nameof(legs));
        var debits = Money.Sum(legs.Where(l => l.Side == PostingSide.Debit).Select(l => l.Amount));
        var credits = Money.Sum(legs.Where(l => l.Side == PostingSide.Credit).Select(l => l.Amount));
        if (debits != credits)
            throw new ArgumentException($"unbalanced recipe: debits {debits}, credits {credits}", nameof(legs));
        if (lines.Count > 0 && Money.Sum(lines.Select(l => l.Amount)) != debits)
            throw new ArgumentException($"statement lines do not add up to {debits}", nameof(lines));
        Kind = kind;
        CauseType = causeType;
        CauseId = causeId;
        BusinessDate = businessDate;
        FundingSource = fundingSource;
        Legs = legs;
        Lines = lines;
    }

    /// <summary>Ledger transaction kind, e.g. subsidy_settlement, subsidy_clawback, award.</summary>
    public string Kind { get; }

    public string CauseType { get; }

    public string CauseId { get; }

    public DateOnly BusinessDate { get; }

    /// <summary>Every money movement carries its funding source (policy.md §1): finance money here.</summary>
    public string FundingSource { get; }

    public IReadOnlyList<LedgerLeg> Legs { get; }

    public IReadOnlyList<LedgerSubjectLine> Lines { get; }

    public Money Total => Money.Sum(Legs.Where(l => l.Side == PostingSide.Debit).Select(l => l.Amount));
}
