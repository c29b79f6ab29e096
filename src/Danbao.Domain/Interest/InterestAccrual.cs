namespace Danbao.Domain.Interest;

/// <summary>One run of days with the same principal (and, for subsidy, the same treatment).</summary>
public sealed record InterestSegment(DateRange Range, Money Principal, Rate Rate, decimal UnroundedFen)
{
    public int Days => Range.Days;
}

/// <summary>
/// Normal (contract) interest for one loan and one period: unrounded, then rounded half-up to the
/// fen once (policy.md §5). Never includes penalty or compound interest (罚息、复利).
/// </summary>
public sealed record InterestAccrual(DateRange Period, Rate Rate, IReadOnlyList<InterestSegment> Segments, decimal Numerator)
{
    public decimal UnroundedFen => DayCount.ToFen(Numerator);

    public Money Rounded => Rounding.HalfUpToFen(UnroundedFen);

    public int Days => Period.Days;

    public override string ToString() =>
        $"{Period} {Days} days at {Rate} ACT/360: {string.Join(" + ", Segments.Select(s => $"{s.Principal}×{s.Days}d"))} = {Rounded}";
}
