namespace Danbao.Domain.Compensation;

/// <summary>
/// The loss share decided when the guarantee was signed and stored with it (policy.md §6, §10):
/// a claim, its recoveries and its write-off use this, never a share looked up again.
/// </summary>
public sealed record StoredRiskShare(Ratio FundShare, GuarantorType Guarantor, IReadOnlyList<string> PolicyVersionIds)
{
    public StoredRiskShare(Ratio fundShare, GuarantorType guarantor) : this(fundShare, guarantor, Array.Empty<string>()) { }

    public Ratio BankShare => FundShare.Complement();
}

/// <summary>What the bank files, with the loan's facts the handler read (one session, before the domain decides).</summary>
public sealed record ClaimFiling
{
    public required string ClaimId { get; init; }
    public required string LoanId { get; init; }
    public required string BankId { get; init; }

    /// <summary>The guarantor's institution (the fund, or the government financing guarantee institution).</summary>
    public required string FundId { get; init; }

    public required RegionCode Region { get; init; }
    public required DateOnly ClaimDate { get; init; }

    /// <summary>The loan's first overdue day of its current overdue episode.</summary>
    public required DateOnly OverdueSince { get; init; }

    public required Money OutstandingPrincipal { get; init; }

    /// <summary>Normal contract interest unpaid to the claim date, rounded; never penalty or compound interest.</summary>
    public required Money UnpaidNormalInterest { get; init; }

    public required StoredRiskShare Share { get; init; }
}
