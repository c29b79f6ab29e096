using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>Loans on given dates and the claim steps of a bank and the finance bureau, through the API.</summary>
public sealed class SubsidySteps(DanbaoServer server, string bank = "icbc-gz")
{
    private static int _people;

    public static readonly DateTimeOffset Now = new(2027, 7, 1, 2, 0, 0, TimeSpan.Zero);

    public LoanSteps Loans { get; } = new(server, bank);

    public DanbaoClient Bank => Loans.Bank;

    public DanbaoClient Finance { get; } = server.As("gz-finance");

    /// <summary>Sets the server's clock to 10:00 CST of <paramref name="date"/>.</summary>
    public void Today(string date) => server.Clock.Set(new DateTimeOffset(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), new TimeOnly(2, 0), TimeSpan.Zero));

    /// <summary>A §9 loan (200,000 at 3.50%, 24 months, bullet) contracted and disbursed on the given dates, a new borrower each time.</summary>
    /// <param name="today">The server's clock during the lifecycle (default <see cref="Now"/>): the approval is recorded on it.</param>
    public async Task<Loan> Disbursed(string contract = "2025-06-01", string disbursed = "2025-06-20", long amountFen = 200_000_00, int rateBp = 350, DateTimeOffset? today = null)
    {
        server.Clock.Set(today ?? Now);
        var birth = new DateOnly(1985, 1, 1).AddDays(Interlocked.Increment(ref _people) * 3);
        var request = LoanSteps.Individual(amountFen, rateBp, TestIdNumbers.Make(birth, male: true));
        request.Loan.ContractDate = contract;
        request.Loan.ApplicationDate = contract;
        var c = DateOnly.Parse(contract, System.Globalization.CultureInfo.InvariantCulture);
        string D(int days) => c.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var loan = await Loans.Submit(request);
        loan = await Loans.Review(loan, D(1));
        loan = await Loans.Conclude(loan, D(4));
        loan = await Loans.DueDiligence(loan);
        loan = await Loans.Approve(loan);
        loan = await Loans.Guarantee(loan, D(5));
        return await Loans.Disburse(loan, disbursed);
    }

    public Task<SubsidyExplanation> Explain(Loan loan, string start, string end) =>
        Bank.Subsidy.ExplainSubsidyAsync(new ExplainSubsidyRequest { Loan = loan.Name, StartDate = start, EndDate = end }).ResponseAsync;

    public Task<SubsidyClaim> Open(string quarter, DanbaoClient? bank = null) =>
        (bank ?? Bank).Subsidy.CreateSubsidyClaimAsync(new CreateSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Quarter = quarter }).ResponseAsync;

    public Task<AddSubsidyClaimLinesResponse> File(SubsidyClaim claim, params (Loan Loan, long InterestFen, long SubsidyFen)[] lines) =>
        File(Bank, claim, lines);

    public static Task<AddSubsidyClaimLinesResponse> File(DanbaoClient bank, SubsidyClaim claim, params (Loan Loan, long InterestFen, long SubsidyFen)[] lines)
    {
        var request = new AddSubsidyClaimLinesRequest { RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name };
        request.Lines.AddRange(lines.Select(l => new SubsidyClaimLineInput { Loan = l.Loan.Name, InterestPaidFen = l.InterestFen, SubsidyClaimedFen = l.SubsidyFen }));
        return bank.Subsidy.AddSubsidyClaimLinesAsync(request).ResponseAsync;
    }

    /// <summary>§9 lines (interest 1,788.89, subsidy asked 894.44) for <paramref name="quarter"/>, whose filing window has closed, each with its reason.</summary>
    public Task<AddSubsidyClaimLinesResponse> FileLate(SubsidyClaim claim, string quarter, params (Loan Loan, string Reason)[] lines)
    {
        var request = new AddSubsidyClaimLinesRequest { RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name };
        request.Lines.AddRange(lines.Select(l => new SubsidyClaimLineInput
        {
            Loan = l.Loan.Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444, Quarter = quarter, LateReason = l.Reason,
        }));
        return Bank.Subsidy.AddSubsidyClaimLinesAsync(request).ResponseAsync;
    }

    public Task<SubsidyClaim> Submit(SubsidyClaim claim) =>
        Bank.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag }).ResponseAsync;

    public Task<SubsidyClaim> Review(SubsidyClaim claim, bool approveAll, params SubsidyLineReview[] lines)
    {
        var request = new ReviewSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, ApproveAll = approveAll };
        request.Lines.AddRange(lines);
        return Finance.Subsidy.ReviewSubsidyClaimAsync(request).ResponseAsync;
    }

    public Task<SubsidyClaim> Settle(SubsidyClaim claim, string on) =>
        Finance.Subsidy.SettleSubsidyClaimAsync(new SettleSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, BusinessDate = on }).ResponseAsync;
}
