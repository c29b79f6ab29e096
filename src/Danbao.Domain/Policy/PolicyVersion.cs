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

    /// <summary>The id scheme of the seed, "region:key:effective_from", stable across environments.</summary>
    public static string StableId(RegionCode region, string key, DateOnly effectiveFrom) => $"{region}:{key}:{effectiveFrom:yyyy-MM-dd}";

    /// <summary>
    /// Validates a proposed new version from API text: known key, valid region, value parseable for
    /// the key's kind. Returns the version (with a stable id) or a refusal naming what is wrong.
    /// </summary>
    public static Result<PolicyVersion> TryCreate(string key, string regionCode, DateOnly effectiveFrom, string valueText, string source)
    {
        if (!PolicyParameters.TryGet(key ?? "", out var parameter))
            return new Refusal(ReasonCodes.UnknownPolicyParameter, $"'{key}' is not a policy parameter");
        if (!RegionCode.TryParse(regionCode, out var region))
            return new Refusal(ReasonCodes.RegionCodeInvalid, $"'{regionCode}' is not a region code like CN, CN-GD or CN-GD-GZ");
        try
        {
            var value = parameter!.Parse(valueText ?? "");
            return new PolicyVersion(StableId(region, parameter.Key, effectiveFrom), parameter.Key, region, effectiveFrom, value, source ?? "");
        }
        catch (FormatException e)
        {
            return new Refusal(ReasonCodes.PolicyValueInvalid, $"{key}: {e.Message}");
        }
    }

    public override string ToString() => $"{Id} ({Key}@{Region} from {EffectiveFrom:yyyy-MM-dd} = {Value.Text})";
}
