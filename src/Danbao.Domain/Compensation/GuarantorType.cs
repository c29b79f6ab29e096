namespace Danbao.Domain.Compensation;

/// <summary>
/// Who guarantees the loan (policy.md §1, [V]: keep a guarantor_type). Each type's loss share is
/// its own policy parameter, fixed at the guarantee-contract date and stored with the guarantee.
/// </summary>
public enum GuarantorType
{
    /// <summary>The guarantee fund (担保基金): RISK_SHARE_FUND_BP, or the HK/Macau youth share.</summary>
    GuaranteeFund,

    /// <summary>A government financing guarantee institution (政府性融资担保机构, 政银担): RISK_SHARE_GOVERNMENT_GUARANTOR_BP.</summary>
    GovernmentFinancingGuarantor,
}

/// <summary>The UPPER_SNAKE_CASE codes used on the wire and in the database.</summary>
public static class GuarantorTypeCodes
{
    private static readonly Dictionary<GuarantorType, string> Codes = new()
    {
        [GuarantorType.GuaranteeFund] = "GUARANTEE_FUND",
        [GuarantorType.GovernmentFinancingGuarantor] = "GOVERNMENT_FINANCING_GUARANTOR",
    };

    private static readonly Dictionary<string, GuarantorType> Types = Codes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static string ToCode(this GuarantorType type) => Codes[type];

    public static bool TryFromCode(string code, out GuarantorType type) => Types.TryGetValue(code, out type);

    public static GuarantorType FromCode(string code) =>
        Types.TryGetValue(code, out var type) ? type : throw new FormatException($"'{code}' is not a guarantor type");
}
