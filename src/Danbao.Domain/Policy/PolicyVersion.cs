namespace Danbao.Domain;

/// <summary>
/// One row of <c>policy_versions</c>: the value of a parameter in a region from a date until the
/// next version. Versions are never edited; a change is a new version (§10).
/// </summary>
public sealed record PolicyVersion
{
    public PolicyVersion(string id, string key, RegionCode region, DateOnly effectiveFrom, PolicyValue value, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var parameter = PolicyParameters.Get(key);
        if (parameter.Kind != value.Kind)
            throw new ArgumentException($"{key} takes {parameter.Kind}, got {value.Kind}", nameof(value));
        if (parameter.Kind == PolicyValueKind.Enum && !parameter.AllowedValues.Contains(value.AsEnum))
            throw new ArgumentException($"'{value.Text}' is not allowed for {key}", nameof(value));
        Id = id;
        Key = key;
        Region = region;
        EffectiveFrom = effectiveFrom;
        Value = value;
        Source = source ?? "";
    }

    public string Id { get; }

    public string Key { get; }

    public RegionCode Region { get; }

    public DateOnly EffectiveFrom { get; }

    public PolicyValue Value { get; }

    /// <summary>Citation, e.g. "财金〔2023〕75号 [V]".</summary>
    public string Source { get; }

    /// <summary>Builds a version from the text columns of a <c>policy_versions</c> row.</summary>
    public static PolicyVersion FromRow(string id, string key, string regionCode, DateOnly effectiveFrom, string valueText, string source) =>
        new(id, key, new RegionCode(regionCode), effectiveFrom, PolicyParameters.Get(key).Parse(valueText), source);

    public override string ToString() => $"{Id} ({Key}@{Region} from {EffectiveFrom:yyyy-MM-dd} = {Value.Text})";
}
