namespace Danbao.Domain.Loans;

/// <summary>What a bank may amend between submission and disbursement; null leaves a term as it is.</summary>
public sealed record TermsChange
{
    public DateOnly? ContractDate { get; init; }

    public Money? Amount { get; init; }

    public Rate? ContractRate { get; init; }

    public bool? HasCounterGuarantee { get; init; }
}

/// <summary>The amendable terms at one moment, for the before/after of an amendment.</summary>
public sealed record AmendableTerms(DateOnly ContractDate, Money Amount, Rate ContractRate, bool HasCounterGuarantee)
{
    internal static AmendableTerms Of(LoanData d) => new(d.ContractDate, d.Amount, d.ContractRate, d.CounterGuarantee);
}

/// <summary>
/// An accepted amendment: the terms before and after (for the audit log), and the policy versions
/// of the re-check under the new contract date. When the loan was already guaranteed, the caller
/// adjusts the guarantee by <see cref="AmountDelta"/>.
/// </summary>
public sealed record TermsAmendment(AmendableTerms Before, AmendableTerms After, LoanState State, IReadOnlyList<PolicyVersion> Versions)
{
    public bool Changed => Before != After;

    public Money AmountDelta => After.Amount - Before.Amount;
}
