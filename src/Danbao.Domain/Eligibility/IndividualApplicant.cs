namespace Danbao.Domain.Eligibility;

/// <summary>
/// What eligibility needs to know about an individual applicant (个人). Facts about other loans
/// come from the bank's credit check; the domain only judges them.
/// </summary>
public sealed record IndividualApplicant
{
    public required DateOnly BirthDate { get; init; }

    public required Gender Gender { get; init; }

    /// <summary>
    /// Self-declared residency: the legacy input, used only when no <see cref="Document"/> is given.
    /// Recognition reads <see cref="EvidencedResidency"/>.
    /// </summary>
    public Residency Residency { get; init; } = Residency.Mainland;

    /// <summary>The identity document the applicant is recorded by; when present, residency comes from it.</summary>
    public IdentityDocument? Document { get; init; }

    /// <summary>Residency as evidenced by the document (policy.md §2), else the declared one.</summary>
    public Residency EvidencedResidency => Document?.Residency ?? Residency;

    /// <summary>This person's earlier guarantee loans (the good-payer rule).</summary>
    public IReadOnlyList<PriorLoan> PriorLoans { get; init; } = [];

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

    /// <summary>Builds the identity facts from a resident ID number (residency stays as declared: legacy path).</summary>
    public static IndividualApplicant FromIdNumber(ResidentIdNumber id, RegionCode projectRegion) =>
        new() { BirthDate = id.BirthDate, Gender = id.Gender, ProjectRegion = projectRegion };

    /// <summary>
    /// Builds the identity facts from an identity document: birth date, gender and residency from an
    /// 18-digit number; a Home Return Permit (回乡证) carries none, so pass them from the permit holder's record.
    /// </summary>
    public static IndividualApplicant FromDocument(IdentityDocument document, RegionCode projectRegion, DateOnly? birthDate = null, Gender? gender = null)
    {
        var birth = document.BirthDate ?? birthDate ?? throw new ArgumentException($"a {document.Type} carries no birth date: pass it", nameof(birthDate));
        var sex = document.Gender ?? gender ?? throw new ArgumentException($"a {document.Type} carries no gender: pass it", nameof(gender));
        if (birthDate is { } given && given != birth)
            throw new ArgumentException($"birth date {given} differs from the document's {birth}", nameof(birthDate));
        if (gender is { } g && g != sex)
            throw new ArgumentException($"gender {g} differs from the document's {sex}", nameof(gender));
        return new() { BirthDate = birth, Gender = sex, ProjectRegion = projectRegion, Document = document, Residency = document.Residency };
    }
}
