using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>Exports never carry bank-chosen text a spreadsheet would run (issue 14, finding 6: formula injection).</summary>
public sealed class CsvExportTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_district_written_as_a_formula_is_exported_as_text()
    {
        var steps = new SubsidySteps(server);
        server.Clock.Set(SubsidySteps.Now);
        var request = LoanSteps.Individual(idNumber: TestIdNumbers.Make(new DateOnly(1986, 3, 3), male: true));
        request.Loan.District = "=HYPERLINK(\"http://evil.example\",\"天河区\")";
        var loan = await steps.Loans.Disbursed(request);
        await steps.Loans.Repay(loan, 178_889, "2025-09-20");
        steps.Today("2025-10-10");
        var filed = await steps.File(await steps.Open("2025-Q3"), (loan, 178_889, 89_444));
        var claim = await steps.Settle(await steps.Review(await steps.Submit(filed.Claim), approveAll: true), "2025-10-10");
        Assert.Equal(SubsidyClaimState.SubsidyClaimSettled, claim.State);

        var csv = System.Text.Encoding.UTF8.GetString(await steps.Finance.Subsidy.ExportSubsidySettlementReportCsvAsync(new GetSubsidySettlementReportRequest { Quarter = "2025-Q3" }));
        var row = Assert.Single(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries), r => r.Contains(loan.Name, StringComparison.Ordinal));
        // The apostrophe makes the cell text; the quotes and comma inside are CSV-quoted.
        Assert.Contains(",icbc-gz,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"天河区\"\")\",V3,", row, StringComparison.Ordinal);
    }
}
