using System.Globalization;
using Danbao.Client;
using Danbao.Contracts.V1;
using ResidentIdNumber = Danbao.Domain.Borrowers.ResidentIdNumber;

namespace Danbao.Proof.Tests.Support;

/// <summary>Made-up but valid resident ID numbers, distinct across the whole run (each test borrower is a new person).</summary>
public static class ProofIds
{
    private static int _next;

    /// <summary>Every ID number this assembly handed out (the log scan looks for each).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentBag<string> Issued = [];

    public static string Next()
    {
        var n = Interlocked.Increment(ref _next);
        var birth = new DateOnly(1975, 1, 1).AddDays(n / 400);
        var order = (n % 400 * 2 + 1).ToString("000", CultureInfo.InvariantCulture);
        var first17 = "440106" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + order;
        var id = first17 + ResidentIdNumber.CheckCharacter(first17);
        Issued.Add(id);
        return id;
    }
}

/// <summary>Drives loans through the API with the Guangzhou demo institutions (the shape of Server.Tests' LoanSteps, for any server address).</summary>
public sealed class Lifecycle(DanbaoClient bank, DanbaoClient hrss, DanbaoClient fund)
{
    public DanbaoClient Bank => bank;

    public static CreateLoanRequest Application(long amountFen = 200_000_00) => new()
    {
        RequestId = DanbaoClient.NewRequestId(),
        Loan = new Loan
        {
            Borrower = new Borrower
            {
                Type = BorrowerType.Individual,
                Person = new Person { Name = "陈明", IdNumber = ProofIds.Next(), KeyGroup = KeyGroup.Graduate, Residency = Residency.Mainland },
            },
            AmountFen = amountFen,
            TermMonths = 24,
            ContractRateBp = 350,
            RepaymentMethod = RepaymentMethod.Bullet,
            ContractDate = "2025-06-01",
            ApplicationDate = "2025-06-01",
            CounterGuarantee = true,
            Region = "CN-GD-GZ",
            District = "天河区",
        },
    };

    public async Task<Loan> DisbursedAsync()
    {
        var loan = await bank.Loans.CreateLoanAsync(Application());
        loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = "2025-06-02" });
        loan = await hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, BusinessDate = "2025-06-05" });
        loan = await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
        loan = await bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
        loan = await bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag });
        loan = await fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = "2025-06-15" });
        return await bank.Loans.DisburseLoanAsync(new DisburseLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, DisbursementDate = "2025-06-20" });
    }
}
