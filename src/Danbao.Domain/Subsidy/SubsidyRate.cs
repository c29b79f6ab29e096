namespace Danbao.Domain.Subsidy;

/// <summary>How the annual subsidy rate was derived (policy.md §5).</summary>
public sealed record SubsidyRate(SubsidyFormulaVersion Formula, Rate Rate, Rate ContractRate, LprEntry? Lpr, string Explanation, IReadOnlyList<PolicyVersion> Versions);

/// <summary>
/// The subsidy (贴息) formula, chosen by disbursement date:
/// V2 (2021-01-01 … 2023-09-30): s = r − (LPR − 1.50%), floored at 0, with the LPR in force on the
/// contract date; V3 (from 2023-10-01): s = 50% × r. Loans disbursed before V2 are refused
/// (NO_SUBSIDY_FORMULA) rather than guessed. A later LPR change never alters an existing loan's rate.
/// </summary>
public static class SubsidyRates
{
    /// <param name="policy">Policy for the loan's region on the disbursement date.</param>
    public static Result<SubsidyRate> For(Rate contractRate, DateOnly contractDate, PolicySnapshot policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(lpr);
        return PolicyDecision.Run(() =>
        {
            var formula = policy.TryGet(PolicyParameters.SubsidyFormula);
            if (formula is null)
                return new Refusal(ReasonCodes.NoSubsidyFormula,
                    $"no subsidy formula is in force for loans disbursed on {policy.GoverningDate:yyyy-MM-dd} in {policy.Region}; older rules are not implemented");
            return formula.Value.AsEnum == PolicyParameters.FormulaV2
                ? V2(contractRate, contractDate, policy, lpr)
                : V3(contractRate, policy);
        });
    }

    private static Result<SubsidyRate> V2(Rate contractRate, DateOnly contractDate, PolicySnapshot policy, LprTable lpr)
    {
        var below = policy.SubsidyV2BorrowerBelowLpr;
        var lprEntry = lpr.EntryOn(contractDate);
        if (!lprEntry.IsOk)
            return lprEntry.Refusal with { Versions = policy.Used.ToArray() };
        var entry = lprEntry.Value;
        var borrowerBears = Rate.SubtractFloorZero(entry.OneYear, below);
        var s = Rate.SubtractFloorZero(contractRate, borrowerBears);
        var why = $"V2: s = r − (LPR − {below}) = {contractRate} − ({entry.OneYear} − {below}) = {s} (LPR from {entry.EffectiveFrom:yyyy-MM-dd}, in force on contract date {contractDate:yyyy-MM-dd}; floored at 0)";
        return new SubsidyRate(SubsidyFormulaVersion.V2, s, contractRate, entry, why, policy.Used.ToArray());
    }

    private static Result<SubsidyRate> V3(Rate contractRate, PolicySnapshot policy)
    {
        var share = policy.SubsidyV3Share;
        var s = contractRate.Times(share);
        var why = $"V3: s = {share} × r = {share} × {contractRate} = {s}";
        return new SubsidyRate(SubsidyFormulaVersion.V3, s, contractRate, null, why, policy.Used.ToArray());
    }
}
