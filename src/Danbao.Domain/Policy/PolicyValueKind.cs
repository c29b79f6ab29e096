namespace Danbao.Domain.Policy;

/// <summary>The type of a policy parameter's value, and so how its text form is parsed.</summary>
public enum PolicyValueKind
{
    /// <summary>Yuan with at most two decimals, no separators: "300000.00".</summary>
    Money,

    /// <summary>Basis points, decimal allowed: "50", "8000", "172.5".</summary>
    BasisPoints,

    /// <summary>Whole number: "36", "3".</summary>
    Int,

    /// <summary>"true" or "false".</summary>
    Bool,

    /// <summary>One of the parameter's allowed UPPER_SNAKE_CASE values: "CALENDAR_DAYS".</summary>
    Enum,
}

/// <summary>The value_kind codes stored in <c>policy_versions</c>.</summary>
public static class PolicyValueKindCodes
{
    public static string ToCode(PolicyValueKind kind) => kind switch
    {
        PolicyValueKind.Money => "MONEY",
        PolicyValueKind.BasisPoints => "BASIS_POINTS",
        PolicyValueKind.Int => "INT",
        PolicyValueKind.Bool => "BOOL",
        PolicyValueKind.Enum => "ENUM",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static PolicyValueKind FromCode(string code) => code switch
    {
        "MONEY" => PolicyValueKind.Money,
        "BASIS_POINTS" => PolicyValueKind.BasisPoints,
        "INT" => PolicyValueKind.Int,
        "BOOL" => PolicyValueKind.Bool,
        "ENUM" => PolicyValueKind.Enum,
        _ => throw new FormatException($"'{code}' is not a policy value kind"),
    };
}
