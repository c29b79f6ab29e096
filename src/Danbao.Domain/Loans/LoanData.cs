namespace Danbao.Domain.Loans;

/// <summary>
/// Everything a <see cref="Loan"/> holds, as plain data: what a repository stores and reads back
/// (<see cref="Loan.Rehydrate"/>). Fields mirror the loans table; nothing here enforces rules.
/// </summary>
public sealed record LoanData
{
    public required string Id { get; init; }
    public required RegionCode Region { get; init; }
    public required BorrowerType BorrowerType { get; init; }
    public required Money Amount { get; init; }
    public required int TermMonths { get; init; }
    public required Rate ContractRate { get; init; }
    public required RepaymentMethod RepaymentMethod { get; init; }
    public required DateOnly ContractDate { get; init; }
    public bool CounterGuarantee { get; init; }
    public required LoanState State { get; init; }

    /// <summary>Recognised HK/Macau youth (港澳青年), set when eligibility passes.</summary>
    public bool HkMacauYouth { get; init; }

    // Publicity (公示): start, length and unit; days lost to objections, in the same unit.
    public DateOnly? PublicityStartDate { get; init; }
    public int? PublicityDays { get; init; }
    public PublicityUnit? PublicityUnit { get; init; }
    public DateOnly? SuspendedSinceDate { get; init; }
    public int SuspendedDays { get; init; }

    public bool BankDueDiligence { get; init; }
    public bool FundDueDiligence { get; init; }

    public DateOnly? GuaranteeDate { get; init; }
    public Ratio? FundRiskShare { get; init; }

    /// <summary>Who bears <see cref="FundRiskShare"/>, fixed with it at the guarantee (policy.md §1).</summary>
    public Compensation.GuarantorType Guarantor { get; init; }
    public DateOnly? DisbursementDate { get; init; }
    public DateOnly? MaturityDate { get; init; }

    public Money OutstandingPrincipal { get; init; }

    /// <summary>Normal interest is settled up to (excluding) this date; accrual restarts here.</summary>
    public DateOnly? InterestPaidToDate { get; init; }

    /// <summary>Normal interest accrued before <see cref="InterestPaidToDate"/> and not yet paid.</summary>
    public Money UnpaidInterest { get; init; }

    public int Extensions { get; init; }
    public int ExtensionMonths { get; init; }

    /// <summary>Maturity before the first extension: the extension period starts here.</summary>
    public DateOnly? ExtendedFromDate { get; init; }

    /// <summary>First overdue day of the current overdue episode.</summary>
    public DateOnly? OverdueSinceDate { get; init; }

    /// <summary>Past overdue episodes [first overdue day, cured on): no subsidy on those days.</summary>
    public IReadOnlyList<DateRange> OverdueHistory { get; init; } = [];

    public DateOnly? SettledDate { get; init; }
    public DateOnly? ClaimDate { get; init; }
    public DateOnly? CompensatedDate { get; init; }
    public DateOnly? WrittenOffDate { get; init; }
    public DateOnly? ClosedDate { get; init; }

    public string? RejectionReason { get; init; }
    public string? RejectionMessage { get; init; }

    /// <summary>Ids of every policy version a decision on this loan relied on, in order of first use.</summary>
    public IReadOnlyList<string> PolicyVersionIds { get; init; } = [];
}
