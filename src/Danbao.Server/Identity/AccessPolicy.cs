using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Danbao.Data.Loans;
using Danbao.Data.Subsidy;

namespace Danbao.Server.Identity;

/// <summary>
/// Who may see what (docs/security.md, "Access policy"). The rule is the same for every resource:
/// <list type="bullet">
/// <item>a bank sees what is its own (its loans, claims, subsidy claims, statements, itself);</item>
/// <item>a fund operator sees what its fund holds where the resource has a fund (compensation
/// claims, itself as a fund), and otherwise its region;</item>
/// <item>the employment service and the finance bureau see their region and the regions below it;</item>
/// <item>an administrator sees everything.</item>
/// </list>
/// A resource the caller may not see is NOT_FOUND (<see cref="Resources.ResourceName.NotFound"/>), so
/// its existence does not leak. Lists are filtered by the same rule (<see cref="ListScope"/>).
/// </summary>
public static class AccessPolicy
{
    /// <summary>The rule itself, for a resource held by <paramref name="bankId"/> (and <paramref name="fundId"/>, when it has a fund) in <paramref name="regionCode"/>.</summary>
    public static bool CanSee(Caller caller, string? bankId, string? fundId, string regionCode) => caller.Role switch
    {
        Role.Admin => true,
        Role.Bank => bankId == caller.InstitutionId,
        Role.FundOperator when fundId is not null => fundId == caller.InstitutionId,
        _ => caller.CoversRegion(regionCode),
    };

    /// <summary>A loan: its bank, or its region (a loan has no fund until it is guaranteed, so operators see their region's).</summary>
    public static bool CanSee(Caller caller, LoanRecord loan) => CanSee(caller, loan.BankId, null, loan.Data.Region.Value);

    /// <summary>A compensation claim: its bank, its fund's operator, its region's bodies.</summary>
    public static bool CanSee(Caller caller, StoredClaim claim) => CanSee(caller, claim.Data.BankId, claim.Data.FundId, claim.Data.Region.Value);

    /// <summary>A subsidy claim: its bank, or its region.</summary>
    public static bool CanSee(Caller caller, SubsidyClaimRecord claim) => CanSee(caller, claim.BankId, null, claim.RegionCode);

    /// <summary>A bank (or what only a bank holds, such as its statements): the bank itself, or its region. Null region: not found.</summary>
    public static bool CanSeeBank(Caller caller, string bankId, string? bankRegion) =>
        caller.Role == Role.Bank ? bankId == caller.InstitutionId : bankRegion is not null && caller.CoversRegion(bankRegion);

    /// <summary>A guarantee fund: its own operator, or bodies of its region.</summary>
    public static bool CanSeeFund(Caller caller, string fundId, string fundRegion) =>
        caller.Role == Role.FundOperator ? fundId == caller.InstitutionId : caller.CoversRegion(fundRegion);

    /// <summary>Figures of a whole region (awards, programme reports): its bodies and those above it.</summary>
    public static bool CoversRegion(Caller caller, string regionCode) => caller.CoversRegion(regionCode);

    /// <summary>The filter a list applies for <paramref name="caller"/>: the same rule as <see cref="CanSee(Caller, string?, string?, string)"/>.</summary>
    /// <param name="byFund">Whether the listed resources have a fund (compensation claims).</param>
    public static ListScope ScopeOf(Caller caller, bool byFund) => caller.Role switch
    {
        Role.Admin => new(null, null, null),
        Role.Bank => new(caller.InstitutionId, null, null),
        Role.FundOperator when byFund => new(null, caller.InstitutionId, null),
        _ => new(null, null, caller.RegionCode),
    };

    /// <summary>What a list is limited to: a bank's, a fund's, a region's (and below), or (all null) everything.</summary>
    public readonly record struct ListScope(string? BankId, string? FundId, string? RegionWithin);
}
