namespace Danbao.Domain;

/// <summary>A resolved parameter value together with the version that supplied it.</summary>
public readonly record struct Resolved(PolicyValue Value, PolicyVersion Version);

/// <summary>
/// Picks the governing version of a parameter (policy.md §10): the most specific region
/// (city &gt; province &gt; national) that has a version in force on the governing date; within
/// that region, the latest version whose effective date is on or before the date.
/// Pure: built over a set of versions loaded by the caller.
/// </summary>
public sealed class PolicyResolver
{
    private readonly Dictionary<(string Key, RegionCode Region), PolicyVersion[]> _versions;

    public PolicyResolver(IEnumerable<PolicyVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var all = versions.ToList();
        var duplicate = all.GroupBy(v => (v.Key, v.Region, v.EffectiveFrom)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two versions of {duplicate.Key.Key} for {duplicate.Key.Region} from {duplicate.Key.EffectiveFrom}");
        _versions = all.GroupBy(v => (v.Key, v.Region))
            .ToDictionary(g => g.Key, g => g.OrderBy(v => v.EffectiveFrom).ToArray());
    }

    public IEnumerable<PolicyVersion> Versions => _versions.Values.SelectMany(v => v);

    public Result<Resolved> Resolve(string key, RegionCode region, DateOnly governingDate)
    {
        PolicyParameters.Get(key); // unknown keys are programming errors, not refusals
        foreach (var candidate in region.SelfAndAncestors())
        {
            if (!_versions.TryGetValue((key, candidate), out var history))
                continue;
            var inForce = history.LastOrDefault(v => v.EffectiveFrom <= governingDate);
            if (inForce is not null)
                return new Resolved(inForce.Value, inForce);
        }
        return new Refusal(ReasonCodes.PolicyParameterMissing,
            $"no version of {key} is in force for {region} (or its parent regions) on {governingDate:yyyy-MM-dd}");
    }

    /// <summary>Refuses a new version that duplicates an existing (key, region, effective date): history is append-only.</summary>
    public Result<PolicyVersion> CheckNew(PolicyVersion candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (_versions.TryGetValue((candidate.Key, candidate.Region), out var history) && history.Any(v => v.EffectiveFrom == candidate.EffectiveFrom))
            return new Refusal(ReasonCodes.PolicyVersionExists,
                $"{candidate.Key} for {candidate.Region} already has a version from {candidate.EffectiveFrom:yyyy-MM-dd}; add a version from a later date instead");
        return candidate;
    }

    /// <summary>A typed, recording view of the policy for one region and governing date.</summary>
    public PolicySnapshot At(RegionCode region, DateOnly governingDate) => new(this, region, governingDate);
}
