namespace Danbao.Domain.Policy;

/// <summary>How specific a region is; policy resolution prefers the most specific (§10).</summary>
public enum RegionLevel
{
    National = 0,
    Province = 1,
    City = 2,
}

/// <summary>
/// A region in the hierarchy national "CN" &gt; province "CN-GD" (广东) &gt; city "CN-GD-GZ" (广州).
/// Segments after "CN" are 2–4 upper-case letters or digits.
/// </summary>
public readonly record struct RegionCode
{
    public RegionCode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split('-');
        if (parts[0] != "CN" || parts.Length > 3 || parts.Skip(1).Any(p => !IsSegment(p)))
            throw new ArgumentException($"'{value}' is not a region code like CN, CN-GD or CN-GD-GZ", nameof(value));
        Value = value;
    }

    public static readonly RegionCode National = new("CN");
    public static readonly RegionCode Guangdong = new("CN-GD");
    public static readonly RegionCode Guangzhou = new("CN-GD-GZ");
    public static readonly RegionCode Jiangmen = new("CN-GD-JM");
    public static readonly RegionCode Shenzhen = new("CN-GD-SZ");

    public string Value { get; }

    public RegionLevel Level => (RegionLevel)(Value.Count(c => c == '-'));

    /// <summary>The enclosing region; null for national.</summary>
    public RegionCode? Parent => Level == RegionLevel.National ? null : new RegionCode(Value[..Value.LastIndexOf('-')]);

    /// <summary>This region and its ancestors, most specific first: CN-GD-GZ, CN-GD, CN.</summary>
    public IEnumerable<RegionCode> SelfAndAncestors()
    {
        RegionCode? current = this;
        while (current is { } region)
        {
            yield return region;
            current = region.Parent;
        }
    }

    /// <summary>True when this region is <paramref name="other"/> or lies within it.</summary>
    public bool IsWithin(RegionCode other) => SelfAndAncestors().Contains(other);

    public static bool TryParse(string? value, out RegionCode region)
    {
        region = default;
        try
        {
            if (value is null)
                return false;
            region = new RegionCode(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public override string ToString() => Value ?? "";

    private static bool IsSegment(string p) => p.Length is >= 2 and <= 4 && p.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}
