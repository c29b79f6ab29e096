using Danbao.Contracts.V1;
using Danbao.Domain;
using Danbao.Domain.Borrowers;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Danbao.Server.Validation;
using DomainBorrowerType = Danbao.Domain.Eligibility.BorrowerType;
using DomainGender = Danbao.Domain.Borrowers.Gender;
using DomainKeyGroup = Danbao.Domain.Borrowers.KeyGroup;
using DomainDocumentType = Danbao.Domain.Borrowers.IdentityDocumentType;
using ProtoBorrowerType = Danbao.Contracts.V1.BorrowerType;

namespace Danbao.Server.Loans;

/// <summary>
/// A CreateLoan request checked field by field and turned into domain terms. Every problem is
/// collected (one BadRequest lists them all); none of the ID numbers leave this object unmasked.
/// </summary>
public sealed class LoanApplication
{
    private const int PartnersMax = 20;

    public required LoanTerms Terms { get; init; }
    public required Domain.Loans.RepaymentMethod Method { get; init; }
    /// <summary>The principal's identity document (residency comes from it).</summary>
    public required IdentityDocument PrincipalId { get; init; }
    public required IReadOnlyList<IdentityDocument> PartnerIds { get; init; }
    /// <summary>An enterprise's unified social credit code, upper case.</summary>
    public string? CreditCode { get; init; }
    public required Borrower Borrower { get; init; }
    public required string District { get; init; }
    public required DateOnly ApplicationDate { get; init; }

    public static LoanApplication Parse(CreateLoanRequest request, Identity.Caller bank, DateOnly today)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var loan = request.Loan ?? new Contracts.V1.Loan();
        var borrower = loan.Borrower ?? new Borrower();
        var type = errors.Enum("loan.borrower.type", borrower.Type);
        var principal = ParsePerson(errors, "loan.borrower.person", borrower.Person);
        var partners = new List<IdentityDocument>();
        if (type == ProtoBorrowerType.Partnership)
        {
            if (borrower.Partners.Count is 0 or > PartnersMax)
            {
                errors.Add("loan.borrower.partners", $"a partnership lists its other partners (1 to {PartnersMax}); the lead partner is loan.borrower.person");
            }
            for (var i = 0; i < Math.Min(borrower.Partners.Count, PartnersMax); i++)
            {
                if (ParsePerson(errors, $"loan.borrower.partners[{i}]", borrower.Partners[i]) is { } partner)
                {
                    partners.Add(partner);
                }
            }
            if (principal is { } lead && partners.Append(lead).GroupBy(p => p.Number).Any(g => g.Count() > 1))
            {
                errors.Add("loan.borrower.partners", "each partner at most once");
            }
        }
        else if (borrower.Partners.Count > 0)
        {
            errors.Add("loan.borrower.partners", "only a partnership lists partners");
        }
        if (type == ProtoBorrowerType.Enterprise)
        {
            var e = borrower.Enterprise ?? new Enterprise();
            errors.Text("loan.borrower.enterprise.name", e.Name, lengthMax: 200);
            errors.Name("loan.borrower.enterprise.name", e.Name, lengthMax: 200);
            errors.Text("loan.borrower.enterprise.credit_code", e.CreditCode, lengthMax: 18);
            errors.Range("loan.borrower.enterprise.staff_count", e.StaffCount, 1, 1_000_000);
            errors.Range("loan.borrower.enterprise.key_group_hires", e.KeyGroupHires, 0, Math.Max(0, e.StaffCount));
            if (e.AnnualRevenueFen < 0)
            {
                errors.Add("loan.borrower.enterprise.annual_revenue_fen", "must not be negative (0 when unknown)");
            }
        }
        errors.Range("loan.borrower.prior_subsidised_loans", borrower.PriorSubsidisedLoans, 0, 100);
        var amount = errors.PositiveFen("loan.amount_fen", loan.AmountFen);
        var term = errors.Range("loan.term_months", loan.TermMonths, 1, 120);
        var rate = errors.Range("loan.contract_rate_bp", loan.ContractRateBp, 1, 2400);
        var method = errors.Enum("loan.repayment_method", loan.RepaymentMethod);
        var contractDate = errors.Date("loan.contract_date", loan.ContractDate);
        var applicationDate = errors.Date("loan.application_date", loan.ApplicationDate, required: false) ?? today;
        // Date order (policy: the bank signs after the application; no application in the future,
        // no contract more than LoanDates.ContractDateDaysAheadMax days ahead).
        LoanDateChecks.AddTo(errors, LoanDates.Check(LoanDateEvent.Application, "loan.application_date", applicationDate, new LoanDateFacts(), today));
        if (contractDate is { } signed)
        {
            LoanDateChecks.AddTo(errors, LoanDates.Check(LoanDateEvent.Contract, "loan.contract_date", signed,
                new LoanDateFacts { ApplicationDate = applicationDate }, today));
        }
        var region = RegionCode.Guangzhou;
        if (loan.Region.Length == 0)
        {
            region = new RegionCode(bank.RegionCode);
        }
        else if (!RegionCode.TryParse(loan.Region, out region))
        {
            errors.Add("loan.region", "a region code like CN-GD-GZ");
        }
        else if (!bank.CoversRegion(region.Value))
        {
            errors.Add("loan.region", $"must be within the bank's region {bank.RegionCode}");
        }
        var district = errors.Text("loan.district", loan.District, required: false, lengthMax: 100);
        // An ID number of someone born after the application is well-formed but impossible (issue 14).
        if (principal?.IdNumber is { } born && born.CheckBornBy(applicationDate, "loan.borrower.person.id_number") is { IsOk: false })
        {
            errors.Add("loan.borrower.person.id_number", BornAfterApplication);
        }
        for (var i = 0; i < partners.Count; i++)
        {
            if (partners[i].IdNumber is { } partnerId && partnerId.CheckBornBy(applicationDate, $"loan.borrower.partners[{i}].id_number") is { IsOk: false })
            {
                errors.Add($"loan.borrower.partners[{i}].id_number", BornAfterApplication);
            }
        }
        errors.ThrowIfAny();

        var borrowerType = type switch
        {
            ProtoBorrowerType.Individual => DomainBorrowerType.Individual,
            ProtoBorrowerType.Partnership => DomainBorrowerType.Partnership,
            _ => DomainBorrowerType.Enterprise,
        };
        return new LoanApplication
        {
            Terms = new LoanTerms
            {
                BorrowerType = borrowerType,
                Region = region,
                Amount = new Money(amount),
                TermMonths = term,
                ContractRate = new Rate(rate),
                ContractDate = contractDate!.Value,
                HasCounterGuarantee = loan.CounterGuarantee,
                PartnerCount = borrowerType == DomainBorrowerType.Partnership ? partners.Count + 1 : 0,
            },
            Method = method == Contracts.V1.RepaymentMethod.Bullet ? Domain.Loans.RepaymentMethod.Bullet : Domain.Loans.RepaymentMethod.EqualPrincipal,
            PrincipalId = principal!.Value,
            PartnerIds = partners,
            Borrower = borrower,
            District = district,
            ApplicationDate = applicationDate,
            CreditCode = type == ProtoBorrowerType.Enterprise ? (borrower.Enterprise?.CreditCode ?? "").Trim().ToUpperInvariant() : null,
        };
    }

    /// <summary>The individual as the eligibility rules see them (birth date and gender from the ID number).</summary>
    public static IndividualApplicant Applicant(Person person, IdentityDocument id, RegionCode projectRegion, int subsidisedLoansSoFar,
        bool hasLiveEnterpriseLoan, bool otherDisallowedLoans, IReadOnlyList<PriorLoan> priorLoans)
    {
        var groups = new HashSet<DomainKeyGroup>();
        if (person.KeyGroup != Contracts.V1.KeyGroup.Unspecified)
        {
            groups.Add((DomainKeyGroup)((int)person.KeyGroup - 1));
        }
        return IndividualApplicant.FromDocument(id, projectRegion, BirthDateOf(person, id), GenderOf(person, id)) with
        {
            KeyGroups = groups,
            PriorLoans = priorLoans,
            SubsidisedLoansSoFar = subsidisedLoansSoFar,
            HasOutstandingEnterpriseGuaranteeLoan = hasLiveEnterpriseLoan,
            HasOtherDisallowedLoans = otherDisallowedLoans,
        };
    }

    /// <summary>The document of a stored person (its number decrypted): the type stored with the borrower, else read from the number.</summary>
    public static IdentityDocument StoredDocument(Person person, string number)
    {
        var type = LoanMapping.ToDomain(person.DocumentType);
        if (type == DomainDocumentType.HomeReturnPermit)
        {
            return IdentityDocument.Create(DomainDocumentType.HomeReturnPermit, number).Value;
        }
        return IdentityDocument.FromIdNumber(ResidentIdNumber.Parse(number));
    }

    /// <summary>Birth date: from the 18-digit number, else (Home Return Permit) as given.</summary>
    public static DateOnly? BirthDateOf(Person person, IdentityDocument? id) => id?.BirthDate
        ?? (DateOnly.TryParseExact(person.BirthDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : null);

    public static DomainGender? GenderOf(Person person, IdentityDocument? id) => id?.Gender ?? person.Gender switch
    {
        Contracts.V1.Gender.Male => DomainGender.Male,
        Contracts.V1.Gender.Female => DomainGender.Female,
        _ => null,
    };

    // The ID number's birth date is not echoed back: it is part of someone's number.
    private const string BornAfterApplication = "the birth date in the ID number is after the application date (BIRTH_DATE_AFTER_APPLICATION)";

    private static IdentityDocument? ParsePerson(FieldErrors errors, string field, Person? person)
    {
        if (person is null)
        {
            errors.Add(field, "required");
            return null;
        }
        errors.Text($"{field}.name", person.Name, lengthMax: 100);
        if (!string.IsNullOrWhiteSpace(person.Name))
        {
            errors.Name($"{field}.name", person.Name, lengthMax: 100);
        }
        if (!Enum.IsDefined(person.Residency))
        {
            errors.Add($"{field}.residency", "not a residency; leave it unset for the mainland");
        }
        if (!Enum.IsDefined(person.DocumentType))
        {
            errors.Add($"{field}.document_type", "unknown identity document type");
            return null;
        }
        var type = LoanMapping.ToDomain(person.DocumentType);
        Domain.Results.Result<IdentityDocument> parsed;
        if (type is { } given)
        {
            parsed = IdentityDocument.Create(given, person.IdNumber);
        }
        else
        {
            parsed = ResidentIdNumber.TryParse(person.IdNumber, out var number, out var problem)
                ? IdentityDocument.FromIdNumber(number)
                : new Domain.Results.Refusal(Domain.Results.ReasonCodes.IdentityDocumentInvalid, problem ?? "not a valid 18-digit resident ID number");
        }
        if (!parsed.IsOk)
        {
            // The number itself is never echoed back: it may be someone's real ID.
            errors.Add($"{field}.id_number", parsed.Refusal.Message);
            return null;
        }
        var document = parsed.Value;
        if (person.Residency != Contracts.V1.Residency.Unspecified && Enum.IsDefined(person.Residency) && LoanMapping.ToProto(document.Residency) != person.Residency)
        {
            errors.Add($"{field}.residency", $"does not match the identity document ({document.Type}): residency is evidenced by the document, leave it unset");
        }
        if (document.IdNumber is not { } id)
        {
            // A Home Return Permit carries no birth date or gender: both are required.
            if (!DateOnly.TryParseExact(person.BirthDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            {
                errors.Add($"{field}.birth_date", "required (YYYY-MM-DD) with a Home Return Permit, which carries no birth date");
            }
            if (person.Gender == Contracts.V1.Gender.Unspecified || !Enum.IsDefined(person.Gender))
            {
                errors.Add($"{field}.gender", "required with a Home Return Permit, which carries no gender");
            }
        }
        else
        {
            if (person.Gender != Contracts.V1.Gender.Unspecified && (person.Gender == Contracts.V1.Gender.Male) != (id.Gender == DomainGender.Male))
            {
                errors.Add($"{field}.gender", "does not match the ID number");
            }
            if (person.BirthDate.Length > 0 && person.BirthDate != LoanMapping.Date(id.BirthDate))
            {
                errors.Add($"{field}.birth_date", "does not match the ID number");
            }
        }
        if (person.KeyGroup != Contracts.V1.KeyGroup.Unspecified && !Enum.IsDefined(person.KeyGroup))
        {
            errors.Add($"{field}.key_group", "unknown key group");
        }
        return document;
    }
}
