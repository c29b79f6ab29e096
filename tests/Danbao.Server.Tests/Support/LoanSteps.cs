using Danbao.Client;
using Danbao.Contracts.V1;

namespace Danbao.Server.Tests.Support;

/// <summary>Drives a loan through the lifecycle with the demo institutions, the way each actor would.</summary>
public sealed class LoanSteps(DanbaoServer server, string bank = "icbc-gz", string hrss = "gz-hrss", string fund = "gz-fund")
{
    public DanbaoClient Bank { get; } = server.As(bank);
    public DanbaoClient Hrss { get; } = server.As(hrss);
    public DanbaoClient Fund { get; } = server.As(fund);

    /// <summary>A Guangzhou individual application (policy.md §9 setup): contract 2025-06-01, 3.50%, 2 years.</summary>
    public static CreateLoanRequest Individual(long amountFen = 200_000_00, int rateBp = 350, string? idNumber = null,
        bool counterGuarantee = true, Residency residency = Residency.Mainland, string region = "CN-GD-GZ")
    {
        // Residency is evidenced by the document: HK/Macau/Taiwan people hold residence permits 810000/820000/830000.
        idNumber ??= TestIdNumbers.Make(new DateOnly(1990, 5, 17), male: true, area: TestIdNumbers.AreaOf(residency));
        return new CreateLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Loan = new Loan
            {
                Borrower = new Borrower
                {
                    Type = BorrowerType.Individual,
                    Person = new Person { Name = "陈明", IdNumber = idNumber, KeyGroup = KeyGroup.Graduate, Residency = residency },
                },
                AmountFen = amountFen,
                TermMonths = 24,
                ContractRateBp = rateBp,
                RepaymentMethod = RepaymentMethod.Bullet,
                ContractDate = "2025-06-01",
                ApplicationDate = "2025-06-01",
                CounterGuarantee = counterGuarantee,
                Region = region,
                District = "天河区",
            },
        };
    }

    public Task<Loan> Submit(CreateLoanRequest? request = null) => Bank.Loans.CreateLoanAsync(request ?? Individual()).ResponseAsync;

    public Task<Loan> Review(Loan loan, string publicityStart = "2025-06-02") =>
        Hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = publicityStart,
        }).ResponseAsync;

    public Task<Loan> Conclude(Loan loan, string businessDate) =>
        Hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, BusinessDate = businessDate,
        }).ResponseAsync;

    public async Task<Loan> DueDiligence(Loan loan)
    {
        loan = await Fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
        return await Bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
    }

    public Task<Loan> Approve(Loan loan, string? requestId = null) =>
        Bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = requestId ?? DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag }).ResponseAsync;

    public Task<Loan> Guarantee(Loan loan, string date = "2025-06-15", GuarantorType guarantorType = GuarantorType.Unspecified) =>
        Fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = date, GuarantorType = guarantorType,
        }).ResponseAsync;

    public Task<Loan> Disburse(Loan loan, string date = "2025-06-20") =>
        Bank.Loans.DisburseLoanAsync(new DisburseLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, DisbursementDate = date }).ResponseAsync;

    public Task<RecordRepaymentResponse> Repay(Loan loan, long amountFen, string date) =>
        Bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, AmountFen = amountFen, PaidDate = date }).ResponseAsync;

    /// <summary>Submission through publicity and due diligence to approval.</summary>
    public async Task<Loan> Approved(CreateLoanRequest? request = null)
    {
        var loan = await Submit(request);
        loan = await Review(loan);
        loan = await Conclude(loan, "2025-06-05");
        loan = await DueDiligence(loan);
        return await Approve(loan);
    }

    /// <summary>Approved, guaranteed on 2025-06-15 and disbursed on 2025-06-20.</summary>
    public async Task<Loan> Disbursed(CreateLoanRequest? request = null, GuarantorType guarantorType = GuarantorType.Unspecified) =>
        await Disburse(await Guarantee(await Approved(request), guarantorType: guarantorType));
}
