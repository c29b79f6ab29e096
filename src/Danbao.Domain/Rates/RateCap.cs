namespace Danbao.Domain.Rates;

/// <summary>How a rate cap was derived: LPR on the contract date plus the regional spread.</summary>
public sealed record RateCapDecision(Rate Cap, LprEntry Lpr, Rate Spread, IReadOnlyList<PolicyVersion> Versions);

/// <summary>Rate cap = 1-year LPR on the contract date + regional spread (policy.md §5, §9 ex. 1).</summary>
public static class RateCap
{
    /// <param name="policy">Snapshot for the loan's region on the contract date.</param>
    public static Result<RateCapDecision> Compute(LprTable lpr, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(lpr);
        ArgumentNullException.ThrowIfNull(policy);
        return PolicyDecision.Run(() => lpr.EntryOn(policy.GoverningDate).Map(entry =>
        {
            var spread = policy.RateSpread;
            return new RateCapDecision(entry.OneYear + spread, entry, spread, policy.Used.ToArray());
        }));
    }

    /// <summary>Refuses RATE_ABOVE_CAP when the contract rate exceeds the cap; equal is accepted.</summary>
    public static Result<RateCapDecision> Check(Rate contractRate, LprTable lpr, PolicySnapshot policy) =>
        Compute(lpr, policy).Then<RateCapDecision>(cap => contractRate <= cap.Cap
            ? cap
            : new Refusal(ReasonCodes.RateAboveCap,
                $"contract rate {contractRate} is above the cap {cap.Cap} (LPR {cap.Lpr.OneYear} from {cap.Lpr.EffectiveFrom:yyyy-MM-dd} + spread {cap.Spread})",
                cap.Versions));
}
