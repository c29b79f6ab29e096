using Danbao.Contracts.V1;

namespace Danbao.Server.Identity;

/// <summary>The authenticated caller of one RPC: an institution acting in its role, within its region.</summary>
public sealed record Caller(string InstitutionId, Role Role, string RegionCode, string KeyId, string AuthenticatedBy)
{
    /// <summary>Whether this caller may see data of <paramref name="regionCode"/>: its own region and the regions below it.</summary>
    /// <remarks>Who sees which resource is <see cref="AccessPolicy"/>; this is its regional part.</remarks>
    public bool CoversRegion(string regionCode) =>
        Role == Role.Admin
        || regionCode == RegionCode
        || regionCode.StartsWith(RegionCode + "-", StringComparison.Ordinal);

    public Contracts.V1.Caller ToProto() => new()
    {
        Institution = Resources.ResourceNames.Institution.Format(InstitutionId),
        Role = Role,
        Region = RegionCode,
        KeyId = KeyId,
        AuthenticatedBy = AuthenticatedBy,
    };

    public static Role ParseRole(string stored) => stored switch
    {
        "BANK" => Role.Bank,
        "FUND_OPERATOR" => Role.FundOperator,
        "EMPLOYMENT_SERVICE" => Role.EmploymentService,
        "FINANCE_BUREAU" => Role.FinanceBureau,
        "ADMIN" => Role.Admin,
        _ => throw new InvalidOperationException($"unknown stored role '{stored}'"),
    };

    public static string StoredRole(Role role) => role switch
    {
        Role.Bank => "BANK",
        Role.FundOperator => "FUND_OPERATOR",
        Role.EmploymentService => "EMPLOYMENT_SERVICE",
        Role.FinanceBureau => "FINANCE_BUREAU",
        Role.Admin => "ADMIN",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "no such role"),
    };
}
