namespace Danbao.Domain.Policy;

/// <summary>
/// One row of <c>policy_versions</c>: the value of a parameter in a region from a date until the
/// next version, or until its <see cref="EffectiveTo"/>. Versions are never edited; a change is a new
/// version (§10), and a withdrawal or a correction is a separate record (<see cref="Withdrawal"/>).
/// </summary>
public sealed record PolicyVersion
{
    private readonly DateOnly? _effectiveTo;

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

    /// <summary>
    /// The last day the version is in force, <b>inclusive</b> (the last day of its source's
    /// validity: 穗人社规字〔2024〕2号 ends on 2029-02-05); null when it runs until replaced.
    /// </summary>
    public DateOnly? EffectiveTo
    {
        get => _effectiveTo;
        init
        {
            if (value < EffectiveFrom)
                throw new ArgumentException($"{Key} for {Region}: effective_to {value:yyyy-MM-dd} is before effective_from {EffectiveFrom:yyyy-MM-dd}", nameof(value));
            _effectiveTo = value;
        }
    }

    /// <summary>Set when the version was withdrawn (撤回) before taking effect or superseded by a correction: it never governs.</summary>
    public PolicyWithdrawal? Withdrawal { get; init; }

    public bool IsWithdrawn => Withdrawal is not null;

    /// <summary>Whether this version can govern <paramref name="date"/>: not withdrawn, started, not ended.</summary>
    public bool IsInForceOn(DateOnly date) =>
        !IsWithdrawn && EffectiveFrom <= date && (EffectiveTo is null || date <= EffectiveTo.Value);

    /// <summary>Builds a version from the text columns of a <c>policy_versions</c> row.</summary>
    public static PolicyVersion FromRow(string id, string key, string regionCode, DateOnly effectiveFrom, string valueText, string source) =>
        new(id, key, new RegionCode(regionCode), effectiveFrom, PolicyParameters.Get(key).Parse(valueText), source);

    /// <summary>
    /// Builds a version from a <c>policy_versions</c> row with its end date, joined with its
    /// <c>policy_version_withdrawals</c> row when there is one (migrations/0060).
    /// </summary>
    public static PolicyVersion FromRow(string id, string key, string regionCode, DateOnly effectiveFrom, DateOnly? effectiveTo,
        string valueText, string source, PolicyWithdrawal? withdrawal) =>
        FromRow(id, key, regionCode, effectiveFrom, valueText, source) with { EffectiveTo = effectiveTo, Withdrawal = withdrawal };

    /// <summary>The id scheme of the seed, "region:key:effective_from", stable across environments.</summary>
    public static string StableId(RegionCode region, string key, DateOnly effectiveFrom) => $"{region}:{key}:{effectiveFrom:yyyy-MM-dd}";

    /// <summary>
    /// The id of the <paramref name="revision"/>-th row for one (region, key, date): the stable id
    /// for the first, then "…:r2", "…:r3" for versions that replace a withdrawn or superseded one.
    /// </summary>
    public static string RevisionId(RegionCode region, string key, DateOnly effectiveFrom, int revision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        var stable = StableId(region, key, effectiveFrom);
        return revision == 1 ? stable : $"{stable}:r{revision}";
    }

    /// <summary>This version under another id (a later revision of the same date).</summary>
    public PolicyVersion WithId(string id) =>
        new(id, Key, Region, EffectiveFrom, Value, Source) { EffectiveTo = EffectiveTo, Withdrawal = Withdrawal };

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

    /// <summary>As <see cref="TryCreate(string, string, DateOnly, string, string)"/>, with an inclusive last day (null: open-ended).</summary>
    public static Result<PolicyVersion> TryCreate(string key, string regionCode, DateOnly effectiveFrom, DateOnly? effectiveTo, string valueText, string source)
    {
        var created = TryCreate(key, regionCode, effectiveFrom, valueText, source);
        if (!created.IsOk || effectiveTo is null)
            return created;
        if (effectiveTo.Value < effectiveFrom)
            return new Refusal(ReasonCodes.PolicyEndBeforeStart,
                $"{key}: effective_to {effectiveTo:yyyy-MM-dd} is before effective_from {effectiveFrom:yyyy-MM-dd} (effective_to is the last day in force)")
            {
                Details = new Dictionary<string, string> { ["field"] = "effective_to" },
            };
        return created.Value with { EffectiveTo = effectiveTo };
    }

    public override string ToString() =>
        $"{Id} ({Key}@{Region} from {EffectiveFrom:yyyy-MM-dd}{(EffectiveTo is { } to ? $" to {to:yyyy-MM-dd}" : "")} = {Value.Text}{(IsWithdrawn ? ", withdrawn" : "")})";
}
