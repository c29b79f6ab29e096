namespace Danbao.Domain.Compensation;

/// <summary>
/// Everything a compensation claim persists: what the bank filed, the split it was filed with,
/// consents, recoveries and write-off. Rebuild the aggregate with <see cref="CompensationClaim.Rehydrate"/>.
/// </summary>
public sealed record CompensationClaimData
{
    public required string Id { get; init; }
    public required string LoanId { get; init; }
    public required string BankId { get; init; }
    public required string FundId { get; init; }
    public required RegionCode Region { get; init; }
    public required GuarantorType Guarantor { get; init; }
    public required CompensationClaimState State { get; init; }
    public required DateOnly ClaimDate { get; init; }
    public required int OverdueDays { get; init; }

    /// <summary>The first day the loan was claimable; with <see cref="FiledLate"/>, see <see cref="LateClaim"/>.</summary>
    public required DateOnly ClaimableOn { get; init; }

    public required bool FiledLate { get; init; }
    public required CompensationBaseMode BaseMode { get; init; }
    public required Money OutstandingPrincipal { get; init; }
    public required Money UnpaidInterest { get; init; }

    /// <summary>Base split by the stored share: the fund pays <c>Split.Fund</c>, the bank bears <c>Split.Bank</c>.</summary>
    public required SplitAmounts Split { get; init; }

    public DateOnly? DecidedDate { get; init; }
    public string? RejectionReason { get; init; }
    public IReadOnlyList<ClaimConsent> Consents { get; init; } = [];
    public IReadOnlyList<ClaimRecovery> Recoveries { get; init; } = [];
    public Money WrittenOffFund { get; init; }
    public Money WrittenOffBank { get; init; }
    public DateOnly? WrittenOffDate { get; init; }
    public string? WriteOffEvidence { get; init; }
    public IReadOnlyList<string> PolicyVersionIds { get; init; } = [];

    public Money Base => Split.Base;

    public Ratio FundShare => Split.FundShare;

    public Money FundPays => Split.Fund;

    public Money BankBears => Split.Bank;

    public Money RecoveredNet => Sum(Posted(), r => r.Net);

    public Money RecoveredFund => Sum(Posted(), r => r.Split!.Value.Fund);

    public Money RecoveredBank => Sum(Posted(), r => r.Split!.Value.Bank);

    /// <summary>Recorded by banks, not yet confirmed: counted against the recovery cap, not yet shared.</summary>
    public Money PendingNet => Sum(Recoveries.Where(r => r.Status == RecoveryStatus.Pending), r => r.Net);

    /// <summary>The fund's share still held as recoverable (zero once written off).</summary>
    public Money FundRecoverable => State == CompensationClaimState.Approved ? FundPays - RecoveredFund : Money.Zero;

    /// <summary>The bank's share still held as recoverable (zero once written off).</summary>
    public Money BankRecoverable => State == CompensationClaimState.Approved ? BankBears - RecoveredBank : Money.Zero;

    /// <summary>The fund's written-off share not yet recovered after the write-off (账销案存).</summary>
    public Money FundWrittenOffOutstanding => WrittenOffFund - Sum(Posted().Where(r => r.AfterWriteOff), r => r.Split!.Value.Fund);

    /// <summary>The bank's written-off share not yet recovered after the write-off.</summary>
    public Money BankWrittenOffOutstanding => WrittenOffBank - Sum(Posted().Where(r => r.AfterWriteOff), r => r.Split!.Value.Bank);

    private IEnumerable<ClaimRecovery> Posted() => Recoveries.Where(r => r.Status == RecoveryStatus.Posted);

    private static Money Sum(IEnumerable<ClaimRecovery> recoveries, Func<ClaimRecovery, Money> amount) => Money.Sum(recoveries.Select(amount));
}
