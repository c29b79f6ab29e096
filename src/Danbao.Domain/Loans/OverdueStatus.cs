namespace Danbao.Domain.Loans;

/// <summary>
/// Whether a loan is overdue (逾期) on a business date, as a fact of its plan and its repayments
/// (policy.md §5): since when (first day of the current run of overdue days), the first instalment
/// still unpaid, and the arrears: principal and normal interest that fell due before the date and
/// are unpaid at its end (a payment on the day counts: paid in full on D, not overdue on D).
/// </summary>
public sealed record OverdueStatus(DateOnly AsOf, DateOnly? OverdueSince, DateOnly? FirstMissedDueDate, Money PrincipalArrears, Money InterestArrears)
{
    public bool IsOverdue => OverdueSince is not null;

    /// <summary>1 on the first overdue day, n on the n-th (<see cref="Domain.Loans.OverdueDays"/>).</summary>
    public int OverdueDays => OverdueSince is { } since ? Domain.Loans.OverdueDays.On(since, AsOf) : 0;

    public Money Arrears => PrincipalArrears + InterestArrears;
}

/// <summary>What <see cref="Loan.SyncOverdue"/> found and did to the stored (cached) state.</summary>
public sealed record OverdueSync(OverdueStatus Status, LoanState Before, LoanState After)
{
    public bool StateChanged => Before != After;
}
