using Danbao.Cli.Tests.Support;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Tests;

/// <summary>`danbao report programme`: the same figures as GetProgrammeReport, as a table and as CSV.</summary>
public sealed class ReportProgrammeTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task The_programme_report_prints_the_apis_figures_as_a_table_and_as_csv()
    {
        var seed = await server.Run(server.Key("admin"), "demo", "seed", "--count", "small", "--seed", "11", "--as-of", CliServer.AsOf);
        Assert.True(seed.ExitCode == 0, seed.ToString());
        var api = await server.As("gz-hrss").Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = "2026" });
        Assert.True(api.Loans.DisbursedLoans > 0);

        var csv = await server.Run(server.Key("gz-hrss"), "report", "programme", "--region", "CN-GD-GZ", "--period", "2026", "--csv");
        Assert.True(csv.ExitCode == 0, csv.ToString());
        var rows = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("region,period,group,key,approved_loans,approved_fen,disbursed_loans,disbursed_fen", rows[0]);
        Assert.Contains($"CN-GD-GZ,2026,all,,{api.Loans.ApprovedLoans},{api.Loans.ApprovedFen},{api.Loans.DisbursedLoans},{api.Loans.DisbursedFen}", rows);
        Assert.Contains($"CN-GD-GZ,2026,subsidy_paid,,{api.SubsidyLoans},{api.SubsidyPaidFen},,", rows);
        Assert.Equal(api.Loans.DisbursedFen, rows.Where(r => r.Contains(",borrower_type,", StringComparison.Ordinal)).Sum(r => long.Parse(r.Split(',')[7], System.Globalization.CultureInfo.InvariantCulture)));

        var table = await server.Run(server.Key("gz-hrss"), "report", "programme", "--period", "2026");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Programme figures for CN-GD-GZ, 2026", table.Out);
        Assert.Contains("subsidy paid", table.Out);
    }
}
