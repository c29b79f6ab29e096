using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>Reconciliation (对账) per bank: period figures from the journal; a streamed statement and its breaks.</summary>
public sealed class ReconciliationTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_statement_with_three_planted_differences_reports_exactly_those_three_breaks()
    {
        var steps = new FundSteps(server, "boc-gz");
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        var c = await steps.Disbursed();
        var d = await steps.Disbursed();
        // 50,000 of d's principal repaid (with 11 days' interest, 213.89): 150,000 outstanding.
        await steps.Loans.Repay(d, 50_000_00 + 213_89, "2025-07-01");

        // Planted: b's amount differs, c is left out, and a loan the fund never guaranteed is listed.
        var stranger = "loans/L00000000000000000000";
        var comparison = await steps.Bank.Fund.UploadBankStatementAsync(
        [
            new UploadBankStatementRequest { AsOfDate = "2025-12-31", Lines = { new StatementLine { Loan = a.Name, OutstandingFen = 200_000_00 } } },
            new UploadBankStatementRequest { Lines = { new StatementLine { Loan = b.Name, OutstandingFen = 199_000_00 }, new StatementLine { Loan = d.Name, OutstandingFen = 150_000_00 } } },
            new UploadBankStatementRequest { Lines = { new StatementLine { Loan = stranger, OutstandingFen = 80_000_00 } } },
        ]);
        Assert.Equal((4, 2, 3), (comparison.LinesReceived, comparison.LoansMatched, comparison.BreaksCount));
        Assert.Equal(750_000_00, comparison.OursTotalFen);
        Assert.Equal(629_000_00, comparison.TheirsTotalFen);
        var breaks = comparison.Breaks.ToDictionary(x => x.Loan);
        Assert.Equal(3, breaks.Count);
        Assert.Equal((BreakKind.AmountDiffers, 200_000_00L, 199_000_00L), (breaks[b.Name].Kind, breaks[b.Name].OursFen, breaks[b.Name].TheirsFen));
        Assert.Equal((BreakKind.MissingThere, 200_000_00L, 0L), (breaks[c.Name].Kind, breaks[c.Name].OursFen, breaks[c.Name].TheirsFen));
        Assert.Equal((BreakKind.MissingHere, 0L, 80_000_00L), (breaks[stranger].Kind, breaks[stranger].OursFen, breaks[stranger].TheirsFen));

        var csv = await steps.Bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = comparison.Name });
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("loan,kind,ours_fen,theirs_fen", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.Contains($"{c.Name},MISSING_THERE,20000000,0", lines);

        // Another bank sees neither the statement nor this bank's reconciliation.
        var other = server.As("icbc-gz");
        var hidden = await Assert.ThrowsAsync<RpcException>(async () => await other.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = comparison.Name }));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        var notYours = await Assert.ThrowsAsync<RpcException>(async () => await other.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
        {
            Bank = "institutions/boc-gz", FromDate = "2025-06-01", ToDate = "2025-06-30",
        }));
        Assert.Equal(StatusCode.NotFound, notYours.StatusCode);
    }

    [Fact]
    public async Task A_banks_period_reconciliation_is_computed_from_the_journal()
    {
        var steps = new FundSteps(server, "gzrcb");
        var a = await steps.Disbursed();
        await steps.Disbursed();
        await steps.Loans.Repay(a, 50_000_00 + 213_89, "2025-07-01");

        var june = await steps.Bank.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest { FromDate = "2025-06-01", ToDate = "2025-06-30" });
        Assert.Equal((0L, 400_000_00L, 0L, 400_000_00L), (june.OpeningOutstandingFen, june.GuaranteesIssuedFen, june.GuaranteesReleasedFen, june.ClosingOutstandingFen));
        var july = await steps.Fund.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
        {
            Bank = "institutions/gzrcb", FromDate = "2025-07-01", ToDate = "2025-09-30",
        });
        Assert.Equal((400_000_00L, 0L, 50_000_00L, 350_000_00L), (july.OpeningOutstandingFen, july.GuaranteesIssuedFen, july.GuaranteesReleasedFen, july.ClosingOutstandingFen));
        Assert.Equal((0, 0L), (july.ClaimsFiled, july.ClaimsPaidFundFen));
    }

    [Fact]
    public async Task A_statement_is_compared_with_each_loans_guaranteed_principal_on_its_as_of_date()
    {
        var steps = new FundSteps(server, "ccb-gz");
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        // a: 50,000 principal repaid on 2025-07-01 (with 11 days' interest, 213.89), 150,000 after it.
        await steps.Loans.Repay(a, 50_000_00 + 213_89, "2025-07-01");
        StatementLine Line(Loan loan, long fen) => new() { Loan = loan.Name, OutstandingFen = fen };

        // On 2025-06-30 the ledger held 200,000 for each: the repayment of the next day is not counted.
        var june = await steps.Bank.Fund.UploadBankStatementAsync(
            [new UploadBankStatementRequest { AsOfDate = "2025-06-30", Lines = { Line(a, 200_000_00), Line(b, 200_000_00) } }]);
        Assert.Equal((2, 2, 0, 400_000_00L, 400_000_00L), (june.LinesReceived, june.LoansMatched, june.BreaksCount, june.OursTotalFen, june.TheirsTotalFen));

        // On 2025-07-01 a holds 150,000: the bank's 200,000 differs; b left out is missing there.
        var july = await steps.Bank.Fund.UploadBankStatementAsync(
            [new UploadBankStatementRequest { AsOfDate = "2025-07-01", Lines = { Line(a, 200_000_00) } }]);
        Assert.Equal((1, 0, 2, 350_000_00L, 200_000_00L), (july.LinesReceived, july.LoansMatched, july.BreaksCount, july.OursTotalFen, july.TheirsTotalFen));
        var breaks = july.Breaks.ToDictionary(x => x.Loan);
        Assert.Equal((BreakKind.AmountDiffers, 150_000_00L, 200_000_00L), (breaks[a.Name].Kind, breaks[a.Name].OursFen, breaks[a.Name].TheirsFen));
        Assert.Equal((BreakKind.MissingThere, 200_000_00L, 0L), (breaks[b.Name].Kind, breaks[b.Name].OursFen, breaks[b.Name].TheirsFen));

        // Before the guarantees (2025-06-15) the ledger held nothing: a zero line is no break, a non-zero one is.
        var before = await steps.Bank.Fund.UploadBankStatementAsync(
            [new UploadBankStatementRequest { AsOfDate = "2025-06-14", Lines = { Line(a, 0), Line(b, 1) } }]);
        Assert.Equal((2, 0, 1, 0L, 1L), (before.LinesReceived, before.LoansMatched, before.BreaksCount, before.OursTotalFen, before.TheirsTotalFen));
        Assert.Equal((b.Name, BreakKind.MissingHere), (before.Breaks.Single().Loan, before.Breaks.Single().Kind));
    }

    [Fact]
    public async Task A_banks_period_reconciliation_counts_recoveries_after_write_off()
    {
        var steps = new FundSteps(server);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.Approve(await steps.Consents(await steps.File(loan)));
        claim = await steps.Recover(claim, 10_000_00);
        claim = await steps.Consents(claim, ConsentStage.ConsentWriteOff);
        claim = await steps.Fund.Fund.WriteOffClaimAsync(new WriteOffClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, WriteOffDate = "2027-06-30",
            ProvenUncollectable = true, Evidence = "法院终结执行裁定书 (2027)粤0106执2号",
        });
        // 账销案存: 20,000 collected after the write-off, 1,000 costs → 19,000 net, 8:2 → fund 15,200, bank 3,800.
        await steps.Recover(claim, 20_000_00, 1_000_00, "2027-06-30");

        var period = await steps.Fund.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
        {
            Bank = "institutions/icbc-gz", FromDate = "2026-06-30", ToDate = "2027-06-30",
        });
        // Claim base 151,312.50 → fund 121,050.00 / bank 30,262.50; 10,000 recovered on 2026-09-01 → 8,000 / 2,000;
        // written off: 113,050.00 / 28,262.50; after it 15,200 / 3,800.
        Assert.Equal((1, 151_312_50L, 1, 121_050_00L), (period.ClaimsFiled, period.ClaimsFiledBaseFen, period.ClaimsPaid, period.ClaimsPaidFundFen));
        Assert.Equal((8_000_00L + 15_200_00L, 2_000_00L + 3_800_00L), (period.RecoveriesFundFen, period.RecoveriesBankFen));
        Assert.Equal((15_200_00L, 3_800_00L), (period.RecoveriesAfterWriteOffFundFen, period.RecoveriesAfterWriteOffBankFen));
        Assert.Equal((113_050_00L, 28_262_50L), (period.WriteOffsFundFen, period.WriteOffsBankFen));

        // The write-off day alone: the write-off and the recovery after it, nothing before.
        var day = await steps.Fund.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
        {
            Bank = "institutions/icbc-gz", FromDate = "2027-06-30", ToDate = "2027-06-30",
        });
        Assert.Equal((15_200_00L, 3_800_00L, 113_050_00L, 28_262_50L, 0, 0L),
            (day.RecoveriesFundFen, day.RecoveriesBankFen, day.WriteOffsFundFen, day.WriteOffsBankFen, day.ClaimsPaid, day.ClaimsPaidFundFen));
        await steps.AssertLedgerConsistent();
    }
}
