using System.Globalization;

namespace Danbao.Domain.Policy;

/// <summary>
/// The values a policy parameter may take (policy.md §11), checked when a version is written.
/// Numbers are in the parameter's own unit: yuan for Money, bp for BasisPoints, the count for Int;
/// Bool and Enum parameters are a list of allowed texts.
/// </summary>
public sealed record PolicyValueRange
{
    private PolicyValueRange(PolicyValueKind kind, decimal min, decimal max, bool wholeOnly, IReadOnlyList<string> allowed, string unit)
    {
        Kind = kind;
        Min = min;
        Max = max;
        WholeOnly = wholeOnly;
        Allowed = allowed;
        Unit = unit;
    }

    public PolicyValueKind Kind { get; }

    public decimal Min { get; }

    public decimal Max { get; }

    /// <summary>Basis points that must be whole (shares and multipliers read as a <see cref="Ratio"/>).</summary>
    public bool WholeOnly { get; }

    /// <summary>Allowed texts of a Bool or Enum parameter; empty for numbers.</summary>
    public IReadOnlyList<string> Allowed { get; }

    public string Unit { get; }

    /// <summary>Yuan, inclusive bounds: e.g. a cap in 0.01 … 1,000,000.00.</summary>
    public static PolicyValueRange Yuan(decimal min, decimal max) => new(PolicyValueKind.Money, min, max, false, [], "yuan");

    /// <summary>Basis points, inclusive bounds; <paramref name="wholeOnly"/> for shares and multipliers.</summary>
    public static PolicyValueRange Bp(decimal min, decimal max, bool wholeOnly) => new(PolicyValueKind.BasisPoints, min, max, wholeOnly, [], "bp");

    /// <summary>A whole count (months, days, years, people, times), inclusive bounds.</summary>
    public static PolicyValueRange Count(int min, int max, string unit) => new(PolicyValueKind.Int, min, max, true, [], unit);

    public static PolicyValueRange Flag() => new(PolicyValueKind.Bool, 0, 0, false, ["true", "false"], "");

    public static PolicyValueRange OneOf(IReadOnlyList<string> values) => new(PolicyValueKind.Enum, 0, 0, false, values, "");

    public bool Allows(PolicyValue value)
    {
        if (value.Kind != Kind)
            return false;
        if (Kind is PolicyValueKind.Bool or PolicyValueKind.Enum)
            return Allowed.Contains(value.Text);
        var number = Number(value);
        return number >= Min && number <= Max && (!WholeOnly || number == decimal.Truncate(number));
    }

    /// <summary>"0.01 … 1000000.00 yuan", "0 … 10000 whole bp", "one of true|false".</summary>
    public string Description => Kind switch
    {
        PolicyValueKind.Bool or PolicyValueKind.Enum => "one of " + string.Join("|", Allowed),
        PolicyValueKind.Money => $"{Min.ToString("0.00", CultureInfo.InvariantCulture)} … {Max.ToString("0.00", CultureInfo.InvariantCulture)} yuan",
        PolicyValueKind.BasisPoints => $"{Text(Min)} … {Text(Max)} {(WholeOnly ? "whole " : "")}bp",
        _ => $"{Text(Min)} … {Text(Max)} {Unit}",
    };

    private static decimal Number(PolicyValue value) => value.Kind switch
    {
        PolicyValueKind.Money => value.AsMoney.Yuan,
        PolicyValueKind.BasisPoints => value.AsBp,
        _ => value.AsInt,
    };

    private static string Text(decimal d) => d.ToString("0.############", CultureInfo.InvariantCulture);
}
