namespace Danbao.Domain.Subsidy;

/// <summary>One run of days with constant principal and the same subsidy treatment.</summary>
public sealed record SubsidySegment(DateRange Range, Money Principal, bool Subsidised, SubsidyExclusionReason? ExcludedBecause, decimal InterestUnroundedFen, decimal SubsidyUnroundedFen)
{
    public int Days => Range.Days;
}

/// <summary>
/// The subsidy for one loan and one period, explaining itself: days, principal segments, rates,
/// formula, excluded days and why, and the policy versions used. Interest and subsidy are each
/// rounded once from their unrounded values; the borrower pays the rounded interest minus the
/// rounded subsidy, so the two always add up to the interest.
/// </summary>
public sealed record SubsidyCalculation(
    DateRange Period,
    SubsidyRate SubsidyRate,
    IReadOnlyList<SubsidySegment> Segments,
    decimal InterestNumerator,
    decimal SubsidyNumerator,
    IReadOnlyList<PolicyVersion> Versions)
{
    public Rate ContractRate => SubsidyRate.ContractRate;

    public SubsidyFormulaVersion Formula => SubsidyRate.Formula;

    public decimal InterestUnroundedFen => DayCount.ToFen(InterestNumerator);

    public decimal SubsidyUnroundedFen => DayCount.ToFen(SubsidyNumerator);

    public Money Interest => Rounding.HalfUpToFen(InterestUnroundedFen);

    public Money Subsidy => Rounding.HalfUpToFen(SubsidyUnroundedFen);

    public Money BorrowerShare => Interest - Subsidy;

    public int Days => Period.Days;

    public int SubsidisedDays => Segments.Where(s => s.Subsidised).Sum(s => s.Days);

    public IReadOnlyList<SubsidySegment> Excluded => Segments.Where(s => !s.Subsidised).ToArray();

    public override string ToString() =>
        $"{Period}: interest {Interest}, subsidy {Subsidy} ({SubsidyRate.Explanation}; {SubsidisedDays}/{Days} days subsidised), borrower {BorrowerShare}";
}
