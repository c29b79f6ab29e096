using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>Drives the fund's side: capital, an overdue loan with 150,000 outstanding, claims and their consents.</summary>
public sealed class FundSteps(DanbaoServer server, string bank = "icbc-gz")
{
    private static int _people;

    public LoanSteps Loans { get; } = new(server, bank);
    public DanbaoClient Bank => Loans.Bank;
    public DanbaoClient Fund => Loans.Fund;
    public DanbaoClient Hrss => Loans.Hrss;
    public DanbaoClient Finance { get; } = server.As("gz-finance");

    public Task<CapitalContribution> Contribute(long amountFen, string fund = "institutions/gz-fund", string date = "2025-01-02") =>
        Finance.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Fund = fund, AmountFen = amountFen, FundingSource = FundingSource.FinanceCapital,
            ContributionDate = date, Reference = "穗财〔2025〕1号",
        }).ResponseAsync;

    /// <summary>
    /// A 200,000 equal-principal loan (contract 2025-06-01, 3.50%, disbursed 2025-06-20) whose first two
    /// quarterly payments are paid on time with extra principal down to 150,000 outstanding on 2025-12-20;
    /// the 2026-03-20 instalment is missed (overdue from 2026-03-21, marked by the batch); the interest
    /// is paid up to 2026-04-01 (102 days × 150,000 × 3.50% / 360 = 1,487.50) and nothing after. On the
    /// claim date 2026-06-30 the loan is 102 days overdue with exactly 90 days of unpaid interest.
    /// </summary>
    public async Task<Loan> OverdueLoanWith150000Outstanding(Residency residency = Residency.Mainland, GuarantorType guarantorType = GuarantorType.Unspecified)
    {
        var request = Unique(residency);
        request.Loan.RepaymentMethod = RepaymentMethod.EqualPrincipal;
        var loan = await Loans.Disbursed(request, guarantorType);
        var schedule = await Bank.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = loan.Name });
        var first = schedule.Instalments[0];
        var second = schedule.Instalments[1];
        Assert.Equal(("2025-09-20", "2025-12-20", "2026-03-20"), (first.DueDate, second.DueDate, schedule.Instalments[2].DueDate));
        var paid = await Loans.Repay(loan, first.PrincipalDueFen + first.InterestDueFen, first.DueDate);
        Assert.Equal(first.PrincipalDueFen, paid.PrincipalFen);
        var outstanding = paid.Loan.OutstandingPrincipalFen;
        paid = await Loans.Repay(loan, second.InterestDueFen + (outstanding - 150_000_00), second.DueDate);
        Assert.Equal(150_000_00, paid.Loan.OutstandingPrincipalFen);
        await RunBatch("2026-03-25");
        paid = await Loans.Repay(loan, 1_487_50, "2026-04-01");
        Assert.Equal((1_487_50, 0L), (paid.InterestFen, paid.PrincipalFen));
        Assert.Equal(LoanState.Overdue, paid.Loan.State);
        return paid.Loan;
    }

    /// <summary>A Guangzhou individual application (LoanSteps.Individual) for a borrower no other test uses.</summary>
    public static CreateLoanRequest Unique(Residency residency = Residency.Mainland)
    {
        var n = Interlocked.Increment(ref _people);
        return LoanSteps.Individual(residency: residency, idNumber: TestIdNumbers.Make(new DateOnly(1986, 1, 1).AddDays(n * 3), male: n % 2 == 0, area: TestIdNumbers.AreaOf(residency)));
    }

    public Task<Loan> Disbursed() => Loans.Disbursed(Unique());

    public Task<Loan> Approved() => Loans.Approved(Unique());

    public Task<RunBatchResponse> RunBatch(string date) =>
        Fund.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = date }).ResponseAsync;

    public Task<Claim> File(Loan loan, string claimDate = "2026-06-30", DanbaoClient? bank = null) =>
        (bank ?? Bank).Fund.FileClaimAsync(new FileClaimRequest { RequestId = DanbaoClient.NewRequestId(), Loan = loan.Name, ClaimDate = claimDate }).ResponseAsync;

    /// <summary>HRSS, finance and (recorded by the fund operator) PBOC consents to the compensation.</summary>
    public async Task<Claim> Consents(Claim claim, ConsentStage stage = ConsentStage.ConsentCompensation)
    {
        claim = await Consent(Hrss, claim, stage, "穗人社代偿〔2026〕7号");
        claim = await Consent(Finance, claim, stage, "穗财代偿〔2026〕7号");
        return stage == ConsentStage.ConsentCompensation ? await Consent(Fund, claim, stage, "广州人行函〔2026〕7号") : claim;
    }

    public Task<Claim> Consent(DanbaoClient who, Claim claim, ConsentStage stage, string reference) =>
        who.Fund.RecordClaimConsentAsync(new RecordClaimConsentRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Stage = stage, Reference = reference,
            // Write-off confirmations come after the compensation (approved 2026-07-05 in these scenarios).
            ConsentDate = stage == ConsentStage.ConsentWriteOff ? "2027-06-01" : "2026-07-02",
        }).ResponseAsync;

    public Task<Claim> Approve(Claim claim, string date = "2026-07-05") =>
        Fund.Fund.ApproveClaimAsync(new ApproveClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, DecidedDate = date }).ResponseAsync;

    public Task<Claim> Recover(Claim claim, long grossFen, long costsFen = 0, string date = "2026-09-01") =>
        Fund.Fund.RecordRecoveryAsync(new RecordRecoveryRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, GrossFen = grossFen, CostsFen = costsFen, RecoveredDate = date,
        }).ResponseAsync;

    public Task<FundOverview> Overview() => Fund.Fund.GetFundOverviewAsync(new GetFundOverviewRequest()).ResponseAsync;

    /// <summary>The whole journal balances and every balance row equals the sum of its entries.</summary>
    public async Task AssertLedgerConsistent()
    {
        await using var conn = new Npgsql.NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        var report = await new Danbao.Data.Accounting.Ledger().VerifyAsync(conn);
        Assert.True(report.IsConsistent, string.Join("; ", report.UnbalancedTransactions.Concat(report.BalanceMismatches)));
        // The service-wide invariants too: exactly-once effects, one posting per kind and cause per request.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(server.Database.ConnectionString);
        var invariants = await Danbao.Data.Verification.InvariantCheck.RunAsync(dataSource);
        Assert.True(invariants.Ok, invariants.ToString());
    }
}
