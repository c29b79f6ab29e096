using Danbao.Cli.Tests.Support;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests;

/// <summary>A sandbox that starts on 2025-01-01 and has run `danbao demo year` on 12 loans once, for the tests of the year and the report.</summary>
public sealed class DemoYearSandbox : IAsyncLifetime
{
    public const int Loans = 12;

    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("danbao-demo-year-").FullName;
    private DanbaoHost? _host;

    public BusinessDateClock Clock { get; } = new(TimeProvider.System, new DateOnly(2025, 1, 1));

    public Dictionary<string, string?> Environment { get; } = [];

    public CliRun Year { get; private set; } = null!;

    public string Directory => _dir;

    public DanbaoHost Host => _host ?? throw new InvalidOperationException("not started");

    public DanbaoClient As(string institution) => new(new Uri(Environment["DANBAO_SERVER"]!), Host.DemoKeys[institution]);

    public async Task InitializeAsync()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        _host = await DanbaoHost.StartAsync(new ServerSettings
        {
            Port = 0,
            ConnectionString = database.ConnectionString,
            DemoKeysFile = Path.Combine(_dir, "keys.txt"),
            PiiKeyFile = Path.Combine(_dir, "pii.key"),
            Environment = ServerSettings.SandboxEnvironment,
            BusinessDate = Clock.Date,
        }, Clock, logging => logging.SetMinimumLevel(LogLevel.Warning));
        Environment["DANBAO_SERVER"] = $"http://127.0.0.1:{_host.Port}";
        Environment["DANBAO_KEYS_FILE"] = Path.Combine(_dir, "keys.txt");
        Year = await CliServer.RunWith(Environment, "demo", "year", "--from", "2025-01-01", "--loans", $"{Loans}", "--key", "@admin");
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        System.IO.Directory.Delete(_dir, recursive: true);
    }
}

public sealed partial class DemoYearTests(DemoYearSandbox sandbox) : IClassFixture<DemoYearSandbox>
{
    [Fact]
    public async Task A_demo_year_lends_to_every_borrower_type_compensates_and_recovers_a_default_settles_four_quarters_of_subsidy_and_awards_the_year()
    {
        Assert.True(sandbox.Year.ExitCode == 0, sandbox.Year.ToString());
        Assert.Equal(new DateOnly(2026, 1, 20), sandbox.Clock.Date);
        using var admin = sandbox.As("admin");
        var year = await admin.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD", Period = "2025" });
        // 12 applications, all disbursed: kinds by index — individuals (6), HK/Macau youth (2, individuals at 9:1), partnerships (2), enterprises (2).
        Assert.Equal(DemoYearSandbox.Loans, year.Loans.DisbursedLoans);
        Assert.Equal(
            [("ENTERPRISE", 2L), ("INDIVIDUAL", 8L), ("PARTNERSHIP", 2L)],
            year.ByBorrowerType.Select(t => (t.Key, t.DisbursedLoans)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList());
        var loans = await admin.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 100 });
        Assert.Equal(2, loans.Loans.Count(l => l.FundRiskShareBp == 9000));

        // Loan #7 never paid: claimed more than 90 days overdue, compensated 8:2, 40% of the base recovered two months later.
        Assert.Equal((1L, 1L), (year.CompensationClaims, year.Recoveries));
        using var gzFinance = sandbox.As("gz-finance");
        var claim = Assert.Single((await admin.Fund.ListClaimsAsync(new ListClaimsRequest())).Claims);
        Assert.Equal(ClaimState.ClaimApproved, claim.State);
        Assert.Equal(claim.FundFen, year.CompensationPaidFen);
        Assert.Equal(claim.BaseFen * 2 / 5, year.RecoveredNetFen);
        Assert.Equal(claim.RecoveredFundFen, year.RecoveredFundFen);

        // Every quarter's claims settled by the bureaus; 2025's payments are Q1–Q3's (Q4's are paid on 2026-01-15).
        var settled = new List<SubsidyClaim>();
        foreach (var finance in new[] { "gz-finance", "jm-finance" })
        {
            using var client = sandbox.As(finance);
            settled.AddRange((await client.Subsidy.ListSubsidyClaimsAsync(new ListSubsidyClaimsRequest { PageSize = 500 })).Claims);
        }
        Assert.All(settled, c => Assert.Equal(SubsidyClaimState.SubsidyClaimSettled, c.State));
        Assert.Equal(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"], settled.Select(c => c.Quarter).Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.Equal(settled.Where(c => c.Quarter != "2025-Q4").Sum(c => c.ApprovedSubsidyFen), year.SubsidyPaidFen);
        Assert.Equal(settled.Where(c => c.Quarter == "2025-Q4").Sum(c => c.ApprovedSubsidyFen),
            (await admin.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD", Period = "2026-Q1" })).SubsidyPaidFen);

        // The finished year's awards, approved on 20 January, on Guangzhou's new lending.
        var awards = await gzFinance.Awards.GetAwardsAsync(new GetAwardsRequest { Year = 2025 });
        Assert.Equal("2026-01-20", awards.ApprovedDate);
        var guangzhou = await admin.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = "CN-GD-GZ", Period = "2025" });
        Assert.Equal(guangzhou.Loans.DisbursedFen, awards.NewLendingFen);
        Assert.True(awards.TotalFen > 0 && awards.TotalFen <= awards.CapFen, $"{awards.TotalFen} of {awards.CapFen}");
        Assert.Contains("loans disbursed", sandbox.Year.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fund_positions_are_the_funds_month_ends_visible_by_role_and_region_and_paged()
    {
        using var finance = sandbox.As("gz-finance");
        var request = new ListFundPositionsRequest { StartDate = "2025-01-01", EndDate = "2025-12-31" };
        var all = await finance.Fund.ListFundPositionsAsync(request);
        Assert.Equal(12, all.Positions.Count);
        Assert.All(all.Positions, p => Assert.Equal("institutions/gz-fund", p.Fund));
        Assert.Equal("2025-01-31", all.Positions[0].Date);
        Assert.Equal("2025-12-31", all.Positions[^1].Date);
        Assert.All(all.Positions, p => Assert.Equal(p.BalanceFen * p.LeverageMultipleMax, p.LeverageLimitFen));
        Assert.All(all.Positions, p => Assert.True(p.OutstandingGuaranteesFen <= p.LeverageLimitFen));

        // Pages of five give the same positions.
        var paged = new List<FundPosition>();
        request.PageSize = 5;
        do
        {
            var page = await finance.Fund.ListFundPositionsAsync(request);
            paged.AddRange(page.Positions);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal(all.Positions, paged);

        using var jmFund = sandbox.As("jm-fund");
        var other = await Assert.ThrowsAsync<RpcException>(async () => await jmFund.Fund.ListFundPositionsAsync(
            new ListFundPositionsRequest { Fund = "institutions/gz-fund", StartDate = "2025-01-01", EndDate = "2025-12-31" }));
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
        var own = await jmFund.Fund.ListFundPositionsAsync(new ListFundPositionsRequest { StartDate = "2025-01-01", EndDate = "2025-03-31" });
        Assert.Equal(["2025-01-31", "2025-02-28", "2025-03-31"], own.Positions.Select(p => p.Date).ToList());
        using var bank = sandbox.As("icbc-gz");
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.ListFundPositionsAsync(
            new ListFundPositionsRequest { StartDate = "2025-01-01", EndDate = "2025-12-31" }))).StatusCode);
        var future = await Assert.ThrowsAsync<RpcException>(async () => await finance.Fund.ListFundPositionsAsync(
            new ListFundPositionsRequest { StartDate = "2025-01-01", EndDate = "2026-02-01" }));
        Assert.Equal(StatusCode.InvalidArgument, future.StatusCode);
        Assert.Contains(future.FieldViolations(), v => v.Field == "end_date");
        using var jmFinance = sandbox.As("jm-finance");
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await jmFinance.Fund.ListFundPositionsAsync(
            new ListFundPositionsRequest { Region = "CN-GD-GZ", StartDate = "2025-01-01", EndDate = "2025-12-31" }))).StatusCode);
    }
}
