using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Borrowers;
using Danbao.Domain.Calendar;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Google.Protobuf;
using DomainLoanState = Danbao.Domain.Loans.LoanState;
using ProtoLoanState = Danbao.Contracts.V1.LoanState;
using IdentityDocumentType = Danbao.Contracts.V1.IdentityDocumentType;

namespace Danbao.Server.Loans;

/// <summary>Loan rows to API messages. ID numbers only ever leave here masked.</summary>
public static class LoanMapping
{
    private static readonly JsonFormatter BorrowerJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly JsonParser BorrowerParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string Name(string loanId) => Resources.ResourceNames.Loan.Format(loanId);

    public static string Etag(int version) => Resources.Etags.Of(version);

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary>The borrower as stored: every ID number replaced by its masked form.</summary>
    public static string StoredBorrowerJson(Borrower borrower)
    {
        var copy = borrower.Clone();
        Mask(copy.Person);
        foreach (var partner in copy.Partners)
        {
            Mask(partner);
        }
        return BorrowerJson.Format(copy);
    }

    // Parsing the stored borrower (protobuf JSON) was the largest part of a loan read's CPU; the text
    // of a loan's borrower never changes, so its parse is kept, keyed by the text itself (bounded).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Borrower> ParsedBorrowers = new(StringComparer.Ordinal);
    private const int ParsedBorrowersMax = 4096;

    /// <summary>The stored borrower as a message of its own (a copy: callers may change it).</summary>
    public static Borrower ParseStoredBorrower(string json)
    {
        if (ParsedBorrowers.TryGetValue(json, out var cached))
        {
            return cached.Clone();
        }
        var parsed = BorrowerParser.Parse<Borrower>(json);
        if (ParsedBorrowers.Count >= ParsedBorrowersMax)
        {
            ParsedBorrowers.Clear();
        }
        ParsedBorrowers.TryAdd(json, parsed);
        return parsed.Clone();
    }

    /// <param name="today">The business date the overdue figures are stated on.</param>
    /// <param name="repayments">All recorded repayments of the loan: overdue is derived from them and the schedule, never from a batch.</param>
    /// <param name="calendar">The official calendar, for the last day of a working-day publicity.</param>
    public static Contracts.V1.Loan ToProto(LoanRecord record, PolicyResolver? policy, DateOnly today,
        IEnumerable<RecordedRepayment> repayments, WorkingCalendar? calendar)
    {
        var d = record.Data;
        var loan = new Contracts.V1.Loan
        {
            Name = Name(d.Id),
            Bank = Resources.ResourceNames.Institution.Format(record.BankId),
            Region = d.Region.Value,
            District = record.District,
            State = ToProto(d.State),
            Borrower = ParseStoredBorrower(record.BorrowerJson),
            AmountFen = d.Amount.Fen,
            TermMonths = d.TermMonths,
            ContractRateBp = (int)d.ContractRate.Bp,
            RepaymentMethod = d.RepaymentMethod == Domain.Loans.RepaymentMethod.Bullet ? Contracts.V1.RepaymentMethod.Bullet : Contracts.V1.RepaymentMethod.EqualPrincipal,
            ContractDate = Date(d.ContractDate),
            CounterGuarantee = d.CounterGuarantee,
            HkMacauYouth = d.HkMacauYouth,
            FundRiskShareBp = d.FundRiskShare?.Bp ?? 0,
            GuarantorType = d.FundRiskShare is null ? Contracts.V1.GuarantorType.Unspecified : GuarantorTypes.ToProto(d.Guarantor),
            PublicityStartDate = Date(d.PublicityStartDate),
            DisbursementDate = Date(d.DisbursementDate),
            MaturityDate = Date(d.MaturityDate),
            OutstandingPrincipalFen = d.OutstandingPrincipal.Fen,
            Extensions = d.Extensions,
            GuaranteeFund = record.GuaranteeFundId is { } fund ? Resources.ResourceNames.Institution.Format(fund) : "",
            BankDueDiligence = d.BankDueDiligence,
            FundDueDiligence = d.FundDueDiligence,
            RejectionReason = d.RejectionReason ?? "",
            RejectionMessage = d.RejectionMessage ?? "",
            Etag = Etag(record.Version),
            CreateTime = record.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            UpdateTime = record.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            ApplicationDate = Date(record.ApplicationDate),
            UnpaidInterestFen = d.UnpaidInterest.Fen,
            InterestPaidToDate = Date(d.InterestPaidToDate),
            SettledDate = Date(d.SettledDate),
        };
        loan.FailedRules.AddRange(record.FailedRules);
        var aggregate = Domain.Loans.Loan.Rehydrate(d);
        if (d.DisbursementDate is { } disbursed && today >= disbursed)
        {
            var overdue = aggregate.OverdueAsOf(today, repayments);
            loan.OverdueDays = overdue.OverdueDays;
            loan.OverdueSinceDate = Date(overdue.OverdueSince);
            loan.PrincipalArrearsFen = overdue.PrincipalArrears.Fen;
            loan.InterestArrearsFen = overdue.InterestArrears.Fen;
        }
        // Last day of publicity, in either unit: the day before it may conclude (00:00 CST after its last day).
        if (d.PublicityStartDate is not null && aggregate.PublicityConcludesAt(calendar) is { IsOk: true } concludes)
        {
            loan.PublicityEndDate = Date(ChinaStandardTime.BusinessDate(concludes.Value).AddDays(-1));
        }
        if (policy is not null)
        {
            foreach (var id in d.PolicyVersionIds)
            {
                if (policy.Find(id) is { } version)
                {
                    loan.PolicyVersions.Add(LoanMappingRefs.Ref(version));
                }
            }
        }
        return loan;
    }

    public static ProtoLoanState ToProto(DomainLoanState state) => state switch
    {
        DomainLoanState.Submitted => ProtoLoanState.Submitted,
        DomainLoanState.EligibilityReview => ProtoLoanState.EligibilityReview,
        DomainLoanState.Publicity => ProtoLoanState.Publicity,
        DomainLoanState.Objection => ProtoLoanState.Objection,
        DomainLoanState.DueDiligence => ProtoLoanState.DueDiligence,
        DomainLoanState.Approved => ProtoLoanState.Approved,
        DomainLoanState.Guaranteed => ProtoLoanState.Guaranteed,
        DomainLoanState.Current => ProtoLoanState.Current,
        DomainLoanState.Overdue => ProtoLoanState.Overdue,
        DomainLoanState.Settled => ProtoLoanState.Settled,
        DomainLoanState.Extended => ProtoLoanState.Extended,
        DomainLoanState.Claimed => ProtoLoanState.Claimed,
        DomainLoanState.Compensated => ProtoLoanState.Compensated,
        DomainLoanState.Recovering => ProtoLoanState.Recovering,
        DomainLoanState.WrittenOff => ProtoLoanState.WrittenOff,
        DomainLoanState.Closed => ProtoLoanState.Closed,
        DomainLoanState.Rejected => ProtoLoanState.Rejected,
        DomainLoanState.Withdrawn => ProtoLoanState.Withdrawn,
        _ => ProtoLoanState.Unspecified,
    };

    public static DomainLoanState? ToDomain(ProtoLoanState state) =>
        state == ProtoLoanState.Unspecified ? null : Enum.GetValues<DomainLoanState>().First(s => ToProto(s) == state);

    public static Contracts.V1.Residency ToProto(Domain.Borrowers.Residency residency) => residency switch
    {
        Domain.Borrowers.Residency.HongKong => Contracts.V1.Residency.HongKong,
        Domain.Borrowers.Residency.Macau => Contracts.V1.Residency.Macau,
        Domain.Borrowers.Residency.Taiwan => Contracts.V1.Residency.Taiwan,
        _ => Contracts.V1.Residency.Mainland,
    };

    public static IdentityDocumentType ToProto(Domain.Borrowers.IdentityDocumentType type) => type switch
    {
        Domain.Borrowers.IdentityDocumentType.HkMacauResidencePermit => IdentityDocumentType.HkMacauResidencePermit,
        Domain.Borrowers.IdentityDocumentType.TaiwanResidencePermit => IdentityDocumentType.TaiwanResidencePermit,
        Domain.Borrowers.IdentityDocumentType.HomeReturnPermit => IdentityDocumentType.HomeReturnPermit,
        _ => IdentityDocumentType.ResidentIdCard,
    };

    /// <summary>The domain's document type for a wire value; UNSPECIFIED means "read it from the number".</summary>
    public static Domain.Borrowers.IdentityDocumentType? ToDomain(IdentityDocumentType type) => type switch
    {
        IdentityDocumentType.ResidentIdCard => Domain.Borrowers.IdentityDocumentType.ResidentIdCard,
        IdentityDocumentType.HkMacauResidencePermit => Domain.Borrowers.IdentityDocumentType.HkMacauResidencePermit,
        IdentityDocumentType.TaiwanResidencePermit => Domain.Borrowers.IdentityDocumentType.TaiwanResidencePermit,
        IdentityDocumentType.HomeReturnPermit => Domain.Borrowers.IdentityDocumentType.HomeReturnPermit,
        _ => null,
    };

    private static void Mask(Person? person)
    {
        if (person is null)
        {
            return;
        }
        if (person.IdNumber.Length > 0)
        {
            // Residency and the document type are what the number evidences, never a declaration.
            if (person.DocumentType == IdentityDocumentType.HomeReturnPermit
                && IdentityDocument.Create(Domain.Borrowers.IdentityDocumentType.HomeReturnPermit, person.IdNumber) is { IsOk: true } permit)
            {
                person.IdNumberMasked = permit.Value.Masked;
                person.Residency = ToProto(permit.Value.Residency);
            }
            else if (ResidentIdNumber.TryParse(person.IdNumber, out var id, out _))
            {
                var document = IdentityDocument.FromIdNumber(id);
                person.IdNumberMasked = id.Masked;
                person.BirthDate = Date(id.BirthDate);
                person.Gender = id.Gender == Domain.Borrowers.Gender.Male ? Contracts.V1.Gender.Male : Contracts.V1.Gender.Female;
                person.Residency = ToProto(document.Residency);
                person.DocumentType = ToProto(document.Type);
            }
            else
            {
                person.IdNumberMasked = "******";
            }
        }
        person.IdNumber = "";
    }
}

/// <summary>Policy versions as the API shows them: which version, from where, with what value.</summary>
public static class LoanMappingRefs
{
    public static PolicyVersionRef Ref(Domain.Policy.PolicyVersion v) => new()
    {
        Parameter = v.Key,
        Region = v.Region.Value,
        EffectiveFromDate = v.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Value = v.Value.Text,
    };
}
