namespace Danbao.Domain.Eligibility;

/// <summary>Borrower type (借款人类型).</summary>
public enum BorrowerType
{
    /// <summary>个人</summary>
    Individual,

    /// <summary>合伙创业</summary>
    Partnership,

    /// <summary>小微企业</summary>
    Enterprise,
}

/// <summary>The terms a bank proposes for approval.</summary>
public sealed record LoanTerms
{
    public required BorrowerType BorrowerType { get; init; }

    public required RegionCode Region { get; init; }

    public required Money Amount { get; init; }

    public required int TermMonths { get; init; }

    public required Rate ContractRate { get; init; }

    public required DateOnly ContractDate { get; init; }

    public bool HasCounterGuarantee { get; init; }

    /// <summary>Number of partners for a partnership; ignored otherwise.</summary>
    public int PartnerCount { get; init; }
}
