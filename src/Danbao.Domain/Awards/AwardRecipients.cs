namespace Danbao.Domain.Awards;

/// <summary>Kinds of unit an award (奖补) may go to: "经办银行、担保基金运营管理机构等单位" (policy.md §7).</summary>
public enum InstitutionKind
{
    /// <summary>Handling bank (经办银行).</summary>
    HandlingBank,

    /// <summary>Guarantee fund operator (担保基金运营管理机构).</summary>
    FundOperator,

    /// <summary>Government financing guarantee institution (政府性融资担保机构).</summary>
    GovernmentGuaranteeInstitution,

    /// <summary>Public employment service (公共就业服务机构).</summary>
    EmploymentService,

    /// <summary>Entrepreneurship incubator or other unit a region names (创业孵化载体等).</summary>
    OtherNamedUnit,
}

/// <summary>
/// The kinds of unit a region's text names as award recipients. The "等单位" leaves the list open, so each
/// region says which kinds it means; the product default names banks and fund operators.
/// </summary>
public sealed record AwardRecipientRule(IReadOnlySet<InstitutionKind> Named, string Source)
{
    public static readonly AwardRecipientRule Default = new(
        new HashSet<InstitutionKind> { InstitutionKind.HandlingBank, InstitutionKind.FundOperator },
        "policy.md §7 [A]: handling banks and fund operators unless the region names more");

    public bool Allows(InstitutionKind kind) => Named.Contains(kind);
}

/// <summary>A unit proposed for an award: its kind, its part of the year's new lending, and its score in [0, 100%].</summary>
public sealed record AwardRecipient(string InstitutionId, InstitutionKind Kind, Money NewLending, Ratio Score);

/// <summary>The amount the finance bureau decides for one recipient.</summary>
public sealed record AwardAmount(AwardRecipient Recipient, Money Amount);
