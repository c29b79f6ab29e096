namespace Danbao.Domain.Eligibility;

/// <summary>
/// The outcome of a check that tests several rules: every rule that failed (each with its reason
/// code) and every policy version read, so the reviewer and the bank see all reasons at once.
/// </summary>
public sealed record Assessment(IReadOnlyList<Refusal> Refusals, IReadOnlyList<PolicyVersion> Versions)
{
    public bool IsOk => Refusals.Count == 0;

    /// <summary>Ok, or the first refusal (for APIs that report one reason).</summary>
    public Result<Unit> ToResult() => IsOk ? Unit.Value : Refusals[0];

    internal static Assessment From(List<Refusal> refusals, PolicySnapshot policy)
    {
        var versions = policy.Used.ToArray();
        return new Assessment(refusals.Select(r => r.Versions.Count == 0 ? r with { Versions = versions } : r).ToArray(), versions);
    }

    internal static Assessment Missing(DomainRefusalException e) => new([e.Refusal], e.Refusal.Versions);
}
