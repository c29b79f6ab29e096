namespace Danbao.Domain.Eligibility;

/// <summary>
/// A partnership (合伙创业) is an individual founders' loan: the founder and every partner is judged
/// as an individual (policy.md §2), each with their own loan history, so one partner's compensated
/// or written-off loan refuses the application. Partners' refusals carry <c>partner</c> = their
/// position (1-based) in the details and in the message. HK/Macau youth is the founder's.
/// </summary>
public static class PartnershipEligibility
{
    public static IndividualEligibilityResult Assess(IndividualApplicant founder, IReadOnlyList<IndividualApplicant> partners, DateOnly applicationDate, PolicyResolver policy)
    {
        ArgumentNullException.ThrowIfNull(founder);
        ArgumentNullException.ThrowIfNull(partners);
        var lead = IndividualEligibility.Assess(founder, applicationDate, policy);
        var refusals = lead.Assessment.Refusals.ToList();
        var versions = lead.Assessment.Versions.ToList();
        for (var i = 0; i < partners.Count; i++)
        {
            var position = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var partner = IndividualEligibility.Assess(partners[i], applicationDate, policy);
            refusals.AddRange(partner.Assessment.Refusals.Select(r => r with
            {
                Message = $"partner {position}: {r.Message}",
                Details = new Dictionary<string, string>(r.Details) { ["partner"] = position },
            }));
            versions.AddRange(partner.Assessment.Versions.Where(v => !versions.Contains(v)));
        }
        return new IndividualEligibilityResult(new Assessment(refusals, versions), lead.AgeAtApplication, lead.HkMacauYouth);
    }
}
