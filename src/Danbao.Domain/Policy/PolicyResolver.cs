namespace Danbao.Domain.Policy;

/// <summary>A resolved parameter value together with the version that supplied it.</summary>
public readonly record struct Resolved(PolicyValue Value, PolicyVersion Version);

/// <summary>
/// Picks the governing version of a parameter (policy.md §10): the most specific region
/// (city &gt; province &gt; national) that has a version in force on the governing date; within
/// that region, the latest version in force. "In force" on a date: not withdrawn or superseded,
/// effective_from on or before the date, and effective_to (inclusive) absent or on or after it. So a
/// version past its end no longer governs: the next-older version of the same region that is still
/// in force does, else the parent region's.
/// Pure: built over a set of versions loaded by the caller (withdrawn ones included, for listing).
/// </summary>
public sealed class PolicyResolver
{
    private readonly Dictionary<(string Key, RegionCode Region), PolicyVersion[]> _versions;
    private readonly Dictionary<string, PolicyVersion> _byId;

    public PolicyResolver(IEnumerable<PolicyVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var all = versions.ToList();
        var sameId = all.GroupBy(v => v.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (sameId is not null)
            throw new ArgumentException($"two versions with id {sameId.Key}");
        // Withdrawn rows may share a date with the row that replaced them; live rows may not.
        var duplicate = all.Where(v => !v.IsWithdrawn).GroupBy(v => (v.Key, v.Region, v.EffectiveFrom)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two versions of {duplicate.Key.Key} for {duplicate.Key.Region} from {duplicate.Key.EffectiveFrom}");
        _versions = all.GroupBy(v => (v.Key, v.Region))
            .ToDictionary(g => g.Key, g => g.OrderBy(v => v.EffectiveFrom).ThenBy(v => v.IsWithdrawn).ToArray());
        _byId = all.ToDictionary(v => v.Id, StringComparer.Ordinal);
    }

    /// <summary>Every version, withdrawn and superseded ones included.</summary>
    public IEnumerable<PolicyVersion> Versions => _versions.Values.SelectMany(v => v);

    /// <summary>The version with this id (withdrawn ones included), or null.</summary>
    public PolicyVersion? Find(string id) => _byId.GetValueOrDefault(id ?? "");

    public Result<Resolved> Resolve(string key, RegionCode region, DateOnly governingDate)
    {
        PolicyParameters.Get(key); // unknown keys are programming errors, not refusals
        foreach (var candidate in region.SelfAndAncestors())
        {
            if (!_versions.TryGetValue((key, candidate), out var history))
                continue;
            var inForce = history.LastOrDefault(v => v.IsInForceOn(governingDate));
            if (inForce is not null)
                return new Resolved(inForce.Value, inForce);
        }
        return new Refusal(ReasonCodes.PolicyParameterMissing,
            $"no version of {key} is in force for {region} (or its parent regions) on {governingDate:yyyy-MM-dd}");
    }

    /// <summary>
    /// Refuses a new version that duplicates a live (not withdrawn) version of the same (key, region,
    /// effective date): history is append-only. When only withdrawn versions hold that date, the
    /// candidate comes back under the next revision id ("…:r2") so it never collides with them.
    /// </summary>
    public Result<PolicyVersion> CheckNew(PolicyVersion candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (!_versions.TryGetValue((candidate.Key, candidate.Region), out var history))
            return candidate;
        var sameDate = history.Where(v => v.EffectiveFrom == candidate.EffectiveFrom).ToList();
        if (sameDate.Any(v => !v.IsWithdrawn))
            return new Refusal(ReasonCodes.PolicyVersionExists,
                $"{candidate.Key} for {candidate.Region} already has a version from {candidate.EffectiveFrom:yyyy-MM-dd}; add a version from a later date instead");
        if (sameDate.Count == 0)
            return candidate;
        var revision = sameDate.Count + 1;
        while (_byId.ContainsKey(PolicyVersion.RevisionId(candidate.Region, candidate.Key, candidate.EffectiveFrom, revision)))
            revision++;
        return candidate.WithId(PolicyVersion.RevisionId(candidate.Region, candidate.Key, candidate.EffectiveFrom, revision));
    }

    /// <summary>A typed, recording view of the policy for one region and governing date.</summary>
    public PolicySnapshot At(RegionCode region, DateOnly governingDate) => new(this, region, governingDate);
}
