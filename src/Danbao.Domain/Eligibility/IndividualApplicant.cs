namespace Danbao.Domain;

/// <summary>
/// What eligibility needs to know about an individual applicant (个人). Facts about other loans
/// come from the bank's credit check; the domain only judges them.
/// </summary>
public sealed record IndividualApplicant
{
    public required DateOnly BirthDate { get; init; }

    public required Gender Gender { get; init; }

    public Residency Residency { get; init; } = Residency.Mainland;

    public IReadOnlySet<KeyGroup> KeyGroups { get; init; } = new HashSet<KeyGroup>();

    /// <summary>Where the business (project) is registered.</summary>
    public required RegionCode ProjectRegion { get; init; }

    /// <summary>Subsidised guarantee loans already received, in a lifetime.</summary>
    public int SubsidisedLoansSoFar { get; init; }

    /// <summary>True if the applicant currently has a guarantee loan as (a representative of) an enterprise.</summary>
    public bool HasOutstandingEnterpriseGuaranteeLoan { get; init; }

    /// <summary>Borrower or spouse holds a loan other than student, poverty-relief, housing, car or consumer loans.</summary>
    public bool HasOtherDisallowedLoans { get; init; }

    /// <summary>Consumer loans outstanding of borrower and spouse together.</summary>
    public Money ConsumerLoansOutstanding { get; init; } = Money.Zero;

    /// <summary>Builds the identity facts from a resident ID number.</summary>
    public static IndividualApplicant FromIdNumber(ResidentIdNumber id, RegionCode projectRegion) =>
        new() { BirthDate = id.BirthDate, Gender = id.Gender, ProjectRegion = projectRegion };
}
