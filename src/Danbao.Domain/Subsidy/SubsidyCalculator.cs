namespace Danbao.Domain.Subsidy;

/// <summary>What the subsidy of one loan for one period depends on.</summary>
public sealed record SubsidyRequest(
    RegionCode Region,
    PrincipalTimeline Principal,
    Rate ContractRate,
    DateOnly ContractDate,
    DateOnly DisbursementDate,
    DateRange Period,
    IReadOnlyList<SubsidyExclusion> Exclusions);

/// <summary>
/// Interest subsidy (贴息) per loan per period (policy.md §5). Day by day: each day's interest is
/// principal × r / 360; each subsidised day's subsidy is principal × s / 360 (computed per run of
/// identical days, which is exact). Days overdue and
/// (by default) extension days earn no subsidy; penalty interest is never an input. Early
/// repayment is handled by the principal timeline (days with no principal earn nothing).
/// </summary>
public static class SubsidyCalculator
{
    public static Result<SubsidyCalculation> Calculate(SubsidyRequest request, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (request.Period.Days > InterestCalculator.PeriodDaysMax)
            return new Refusal(ReasonCodes.PeriodInvalid, $"a subsidy period is at most {InterestCalculator.PeriodDaysMax} days");
        if (request.Period.Start < request.DisbursementDate)
            return new Refusal(ReasonCodes.PeriodInvalid, $"period {request.Period} starts before disbursement on {request.DisbursementDate:yyyy-MM-dd}");
        return RateFor(request, policy, lpr)
            .Then(rate => PolicyDecision.Run<SubsidyCalculation>(() => Compute(request, rate, policy)));
    }

    /// <summary>
    /// The subsidy rate depends only on the region, the disbursement and contract dates and the contract rate, under
    /// one policy and LPR table (both immutable): it is derived once per such key and kept with that policy, since a
    /// claim of a million loans has a few thousand keys and deriving it (resolution, explanation text) costs more
    /// than the rest of a line's check.
    /// </summary>
    private static Result<SubsidyRate> RateFor(SubsidyRequest request, PolicyResolver policy, LprTable lpr)
    {
        var rates = Rates.GetValue(policy, _ => new System.Collections.Concurrent.ConcurrentDictionary<RateKey, Result<SubsidyRate>>());
        var key = new RateKey(request.Region, request.DisbursementDate, request.ContractRate, request.ContractDate, lpr);
        if (rates.TryGetValue(key, out var known))
            return known;
        var derived = SubsidyRates.For(request.ContractRate, request.ContractDate, policy.At(request.Region, request.DisbursementDate), lpr);
        return rates.Count < RatesKeptMax ? rates.GetOrAdd(key, derived) : derived;
    }

    private readonly record struct RateKey(RegionCode Region, DateOnly Disbursed, Rate ContractRate, DateOnly Contracted, LprTable Lpr);

    /// <summary>Rates kept per policy: beyond, they are derived each time (bounds memory whatever the input).</summary>
    private const int RatesKeptMax = 100_000;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PolicyResolver, System.Collections.Concurrent.ConcurrentDictionary<RateKey, Result<SubsidyRate>>> Rates = new();

    private static SubsidyCalculation Compute(SubsidyRequest request, SubsidyRate rate, PolicyResolver resolver)
    {
        // The extension rule is read only when the period has extension days (its version is then among those used).
        var policy = request.Exclusions.Any(e => e.Reason == SubsidyExclusionReason.Extension) ? resolver.At(request.Region, request.DisbursementDate) : null;
        var extensionSubsidised = policy is not null && policy.SubsidyDuringExtension;
        var segments = new List<SubsidySegment>();
        decimal interestNumerator = 0, subsidyNumerator = 0;
        // Runs of days with the same principal and the same exclusion are computed at once: the
        // numerators are exact (principal × bp × days), so this equals summing day by day.
        foreach (var (range, principal) in request.Principal.Segments(request.Period))
        {
            foreach (var run in Runs(range, request.Exclusions))
            {
                var reason = ExclusionOn(run.Start, request.Exclusions, extensionSubsidised);
                var interest = DayCount.Numerator(principal, request.ContractRate, run.Days);
                var subsidy = reason is null ? DayCount.Numerator(principal, rate.Rate, run.Days) : 0m;
                interestNumerator += interest;
                subsidyNumerator += subsidy;
                Append(segments, run, principal, reason, interest, subsidy);
            }
        }
        var versions = policy is null ? rate.Versions : rate.Versions.Concat(policy.Used).Distinct().ToArray();
        return new SubsidyCalculation(request.Period, rate, segments, interestNumerator, subsidyNumerator, versions);
    }

    private static SubsidyExclusionReason? ExclusionOn(DateOnly day, IReadOnlyList<SubsidyExclusion> exclusions, bool extensionSubsidised)
    {
        // Overdue wins over extension: an overdue day is never subsidised, whatever the flag.
        if (exclusions.Any(e => e.Reason == SubsidyExclusionReason.Overdue && e.Range.Contains(day)))
            return SubsidyExclusionReason.Overdue;
        if (!extensionSubsidised && exclusions.Any(e => e.Reason == SubsidyExclusionReason.Extension && e.Range.Contains(day)))
            return SubsidyExclusionReason.Extension;
        return null;
    }

    /// <summary>The range cut at every exclusion boundary inside it, so each piece has one treatment.</summary>
    private static IEnumerable<DateRange> Runs(DateRange range, IReadOnlyList<SubsidyExclusion> exclusions) =>
        exclusions.Count == 0 ? [range] : Cut(range, exclusions);

    private static IEnumerable<DateRange> Cut(DateRange range, IReadOnlyList<SubsidyExclusion> exclusions)
    {
        var cuts = new SortedSet<DateOnly> { range.Start, range.End };
        foreach (var e in exclusions)
        {
            if (range.Contains(e.Range.Start))
                cuts.Add(e.Range.Start);
            if (range.Contains(e.Range.End))
                cuts.Add(e.Range.End);
        }
        var previous = range.Start;
        foreach (var cut in cuts)
        {
            if (cut > previous)
            {
                yield return new DateRange(previous, cut);
                previous = cut;
            }
        }
    }

    private static void Append(List<SubsidySegment> segments, DateRange run, Money principal, SubsidyExclusionReason? reason, decimal interestNumerator, decimal subsidyNumerator)
    {
        var last = segments.Count > 0 ? segments[^1] : null;
        if (last is not null && last.Range.End == run.Start && last.Principal == principal && last.ExcludedBecause == reason)
        {
            segments[^1] = last with
            {
                Range = new DateRange(last.Range.Start, run.End),
                InterestUnroundedFen = last.InterestUnroundedFen + DayCount.ToFen(interestNumerator),
                SubsidyUnroundedFen = last.SubsidyUnroundedFen + DayCount.ToFen(subsidyNumerator),
            };
            return;
        }
        segments.Add(new SubsidySegment(run, principal, reason is null, reason,
            DayCount.ToFen(interestNumerator), DayCount.ToFen(subsidyNumerator)));
    }
}
