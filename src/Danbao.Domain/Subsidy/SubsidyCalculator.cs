namespace Danbao.Domain;

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
/// principal × r / 360; each subsidised day's subsidy is principal × s / 360. Days overdue and
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
        var snapshot = policy.At(request.Region, request.DisbursementDate);
        return SubsidyRates.For(request.ContractRate, request.ContractDate, snapshot, lpr)
            .Then(rate => PolicyDecision.Run<SubsidyCalculation>(() => Compute(request, rate, snapshot)));
    }

    private static SubsidyCalculation Compute(SubsidyRequest request, SubsidyRate rate, PolicySnapshot policy)
    {
        var extensionSubsidised = request.Exclusions.Any(e => e.Reason == SubsidyExclusionReason.Extension)
            && policy.SubsidyDuringExtension;
        var segments = new List<SubsidySegment>();
        decimal interestNumerator = 0, subsidyNumerator = 0;
        foreach (var (range, principal) in request.Principal.Segments(request.Period))
        {
            for (var day = range.Start; day < range.End; day = day.AddDays(1))
            {
                var reason = ExclusionOn(day, request.Exclusions, extensionSubsidised);
                var interest = DayCount.Numerator(principal, request.ContractRate, 1);
                var subsidy = reason is null ? DayCount.Numerator(principal, rate.Rate, 1) : 0m;
                interestNumerator += interest;
                subsidyNumerator += subsidy;
                Append(segments, day, principal, reason, interest, subsidy);
            }
        }
        var versions = rate.Versions.Concat(policy.Used).Distinct().ToArray();
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

    private static void Append(List<SubsidySegment> segments, DateOnly day, Money principal, SubsidyExclusionReason? reason, decimal interestNumerator, decimal subsidyNumerator)
    {
        var last = segments.Count > 0 ? segments[^1] : null;
        if (last is not null && last.Range.End == day && last.Principal == principal && last.ExcludedBecause == reason)
        {
            segments[^1] = last with
            {
                Range = new DateRange(last.Range.Start, day.AddDays(1)),
                InterestUnroundedFen = last.InterestUnroundedFen + DayCount.ToFen(interestNumerator),
                SubsidyUnroundedFen = last.SubsidyUnroundedFen + DayCount.ToFen(subsidyNumerator),
            };
            return;
        }
        segments.Add(new SubsidySegment(new DateRange(day, day.AddDays(1)), principal, reason is null, reason,
            DayCount.ToFen(interestNumerator), DayCount.ToFen(subsidyNumerator)));
    }
}
