namespace Danbao.Domain.Borrowers;

/// <summary>
/// A borrower's identity document, validated, with the residency it evidences (policy.md §2): an
/// 18-digit number starting 810000 / 820000 is a Hong Kong / Macau residents' residence permit,
/// 830000 a Taiwan one, any other a mainland ID card; a Home Return Permit (回乡证) H… is Hong Kong,
/// M… Macau. 18-digit numbers carry the birth date and gender; a Home Return Permit does not.
/// <see cref="ToString"/> masks the number.
/// </summary>
public readonly record struct IdentityDocument
{
    private IdentityDocument(IdentityDocumentType type, string number, Residency residency, ResidentIdNumber? idNumber)
    {
        Type = type;
        Number = number;
        Residency = residency;
        IdNumber = idNumber;
    }

    public IdentityDocumentType Type { get; }

    /// <summary>The full number (upper case). Handle as personal data.</summary>
    public string Number { get; }

    public Residency Residency { get; }

    /// <summary>The 18-digit number, for the documents that have one.</summary>
    public ResidentIdNumber? IdNumber { get; }

    public DateOnly? BirthDate => IdNumber?.BirthDate;

    public Gender? Gender => IdNumber?.Gender;

    public bool IsHkOrMacau => Residency is Residency.HongKong or Residency.Macau;

    /// <summary>Validates <paramref name="number"/> as a document of <paramref name="type"/>: IDENTITY_DOCUMENT_INVALID otherwise.</summary>
    public static Result<IdentityDocument> Create(IdentityDocumentType type, string? number)
    {
        var text = number?.Trim().ToUpperInvariant();
        if (type == IdentityDocumentType.HomeReturnPermit)
            return HomeReturnPermit(text);
        if (!ResidentIdNumber.TryParse(text, out var id, out var error))
            return Invalid(type, error!);
        var residency = ResidencyOf(id);
        var expected = residency switch
        {
            Residency.HongKong or Residency.Macau => IdentityDocumentType.HkMacauResidencePermit,
            Residency.Taiwan => IdentityDocumentType.TaiwanResidencePermit,
            _ => IdentityDocumentType.ResidentIdCard,
        };
        if (type != expected)
            return Invalid(type, $"a number starting {id.AreaCode} is a {Describe(expected)}, not a {Describe(type)}");
        return new IdentityDocument(type, id.Value, residency, id);
    }

    /// <summary>The document an 18-digit number is: ID card or HK/Macau/Taiwan residence permit, by its prefix.</summary>
    public static IdentityDocument FromIdNumber(ResidentIdNumber id)
    {
        var residency = ResidencyOf(id);
        var type = residency switch
        {
            Residency.HongKong or Residency.Macau => IdentityDocumentType.HkMacauResidencePermit,
            Residency.Taiwan => IdentityDocumentType.TaiwanResidencePermit,
            _ => IdentityDocumentType.ResidentIdCard,
        };
        return new IdentityDocument(type, id.Value, residency, id);
    }

    /// <summary>810000 Hong Kong, 820000 Macau, 830000 Taiwan; any other area code is mainland.</summary>
    public static Residency ResidencyOf(ResidentIdNumber id) => id.AreaCode switch
    {
        "810000" => Residency.HongKong,
        "820000" => Residency.Macau,
        "830000" => Residency.Taiwan,
        _ => Residency.Mainland,
    };

    /// <summary>First 2 and last 2 characters visible.</summary>
    public string Masked => Number is null ? "" : Number[..2] + new string('*', Number.Length - 4) + Number[^2..];

    public override string ToString() => $"{Type} {Masked}";

    private static Result<IdentityDocument> HomeReturnPermit(string? text)
    {
        // H/M, then 8 digits (older cards carry 10: the 8 plus a 2-digit issue count).
        if (text is null || (text.Length != 9 && text.Length != 11) || text[0] is not ('H' or 'M')
            || text.AsSpan(1).ContainsAnyExceptInRange('0', '9'))
            return Invalid(IdentityDocumentType.HomeReturnPermit, "a Home Return Permit number is H or M followed by 8 or 10 digits");
        return new IdentityDocument(IdentityDocumentType.HomeReturnPermit, text, text[0] == 'H' ? Residency.HongKong : Residency.Macau, null);
    }

    private static Refusal Invalid(IdentityDocumentType type, string message) =>
        new(ReasonCodes.IdentityDocumentInvalid, message) { Details = new Dictionary<string, string> { ["document_type"] = type.ToString() } };

    private static string Describe(IdentityDocumentType type) => type switch
    {
        IdentityDocumentType.HkMacauResidencePermit => "Hong Kong/Macau residence permit",
        IdentityDocumentType.TaiwanResidencePermit => "Taiwan residence permit",
        IdentityDocumentType.HomeReturnPermit => "Home Return Permit",
        _ => "resident ID card",
    };
}
