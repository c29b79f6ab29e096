using Danbao.Cli.Tests.Support;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.TestSupport;
using Microsoft.Extensions.Logging;

namespace Danbao.Cli.Tests;

/// <summary>A sandbox server whose business date starts on 2025-06-02 (the real clock gives the time of day).</summary>
public sealed class SandboxServer : IAsyncLifetime
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("danbao-sandbox-test-").FullName;
    private DanbaoHost? _host;

    public BusinessDateClock Clock { get; } = new(TimeProvider.System, new DateOnly(2025, 6, 2));

    public DanbaoHost Host => _host ?? throw new InvalidOperationException("not started");

    public Dictionary<string, string?> Environment { get; } = [];

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
        Environment["DANBAO_DB"] = database.ConnectionString;
    }

    public string Directory => _dir;

    public async Task<string> Ok(params string[] args)
    {
        var run = await CliServer.RunWith(Environment, args);
        Assert.True(run.ExitCode == 0, $"danbao {string.Join(' ', args)}\n{run}");
        return run.Out;
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

public sealed class SandboxBusinessDateTests(SandboxServer sandbox) : IClassFixture<SandboxServer>
{
    [Fact]
    public async Task A_sandbox_in_a_quarters_first_month_files_reviews_and_settles_a_subsidy_claim_through_the_cli()
    {
        Assert.Equal("2025-06-02 (sandbox)", (await sandbox.Ok("business-date", "show", "--key", "@icbc-gz")).Trim());
        await sandbox.Ok("fund", "contribute", "--fund", "gz-fund", "--amount", "10000000.00", "--key", "@gz-finance");
        var loan = (await sandbox.Ok("loan", "create", "--key", "@icbc-gz", "--data", """
            {"borrower": {"type": "INDIVIDUAL", "person": {"name": "陈明", "id_number": "440106199506150011", "key_group": "GRADUATE"}},
             "amount_fen": 10000000, "term_months": 24, "contract_rate_bp": 350, "repayment_method": "BULLET",
             "contract_date": "2025-06-02"}
            """)).Trim();
        // No dates given: every step happens on the sandbox's today.
        await sandbox.Ok("loan", "review", loan, "--key", "@gz-hrss");
        var early = await CliServer.RunWith(sandbox.Environment, "loan", "conclude-publicity", loan, "--key", "@gz-hrss");
        Assert.Equal(ExitCodes.Refused, early.ExitCode);
        Assert.Contains("PUBLICITY_NOT_ENDED", early.Error);
        await sandbox.Ok("business-date", "advance", "--days", "7", "--key", "@admin");
        Assert.Equal(new DateOnly(2025, 6, 9), sandbox.Clock.Date);
        await sandbox.Ok("loan", "conclude-publicity", loan, "--key", "@gz-hrss");
        await sandbox.Ok("loan", "due-diligence", loan, "--key", "@gz-fund");
        await sandbox.Ok("loan", "due-diligence", loan, "--key", "@icbc-gz");
        await sandbox.Ok("loan", "approve", loan, "--key", "@icbc-gz");
        await sandbox.Ok("business-date", "advance", "--to", "2025-06-10", "--key", "@admin");
        await sandbox.Ok("loan", "guarantee", loan, "--key", "@gz-fund");
        await sandbox.Ok("loan", "disburse", loan, "--key", "@icbc-gz");
        await sandbox.Ok("business-date", "advance", "--to", "2025-06-20", "--key", "@admin");
        Assert.Contains("interest 97.22", await sandbox.Ok("loan", "repay", loan, "--amount", "97.22", "--key", "@icbc-gz"));

        // In June the 2025-Q2 claim cannot be filed yet; on 2025-07-15 (the quarter's first month after it) it can.
        var lines = Path.Combine(sandbox.Directory, "q2.csv");
        await File.WriteAllTextAsync(lines, $"loan,interest_paid,subsidy_claimed\n{loan},97.22,48.61\n");
        var tooEarly = await CliServer.RunWith(sandbox.Environment, "subsidy", "file", "--quarter", "2025-Q2", "--lines", lines, "--key", "@icbc-gz");
        Assert.True(tooEarly.ExitCode == ExitCodes.Refused, tooEarly.ToString());
        await sandbox.Ok("business-date", "advance", "--to", "2025-07-15", "--key", "@admin");
        var filed = await sandbox.Ok("subsidy", "file", "--quarter", "2025-Q2", "--lines", lines, "--key", "@icbc-gz");
        Assert.True(filed.Contains("SubsidyClaimSubmitted 2025-Q2: 1 lines, claimed 48.61 yuan, expected 48.61 yuan.", StringComparison.Ordinal), filed);
        var settled = await sandbox.Ok("subsidy", "settle", "--key", "@gz-finance");
        Assert.True(settled.Contains("Settled 1 claims on 2025-07-15: 48.61 yuan paid to the banks.", StringComparison.Ordinal), settled);

        // The year over, the bureau pays the awards: 1% of the year's new lending (one loan of 100,000.00).
        await sandbox.Ok("business-date", "advance", "--to", "2026-01-10", "--key", "@admin");
        var awarded = await sandbox.Ok("awards", "approve", "--year", "2025", "--score", "icbc-gz=10000", "--key", "@gz-finance");
        Assert.True(awarded.Contains("new lending 100,000.00 yuan, cap 1,000.00 yuan, total 1,000.00 yuan.", StringComparison.Ordinal), awarded);
        var shown = await sandbox.Ok("awards", "show", "--year", "2025", "--key", "@gz-fund");
        Assert.True(shown.Contains("approved on 2026-01-10", StringComparison.Ordinal), shown);
    }

    [Fact]
    public async Task The_business_date_moves_forward_only_and_every_reply_and_whoami_show_it()
    {
        var today = sandbox.Clock.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var back = await CliServer.RunWith(sandbox.Environment, "business-date", "advance", "--to", "2025-01-01", "--key", "@admin");
        Assert.Equal(ExitCodes.Refused, back.ExitCode);
        Assert.Contains("BUSINESS_DATE_BACKWARDS", back.Error);
        var bank = await CliServer.RunWith(sandbox.Environment, "business-date", "advance", "--days", "1", "--key", "@icbc-gz");
        Assert.Contains("PERMISSION_DENIED", bank.Error);
        Assert.Equal(today, sandbox.Clock.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        using var client = new DanbaoClient(new Uri(sandbox.Environment["DANBAO_SERVER"]!), sandbox.Host.DemoKeys["gz-hrss"]);
        using var call = client.Identity.WhoAmIAsync(new WhoAmIRequest());
        var headers = await call.ResponseHeadersAsync;
        Assert.Equal(today, headers.GetValue(DanbaoHost.BusinessDateHeader));
        Assert.Equal(today, (await call.ResponseAsync).BusinessDate);
    }

    [Fact]
    public void A_server_started_outside_a_sandbox_refuses_a_fixed_business_date()
    {
        var env = new Dictionary<string, string?> { ["DANBAO_DB"] = "Host=x", ["DANBAO_BUSINESS_DATE"] = "2025-06-02" };
        var refused = Assert.Throws<ArgumentException>(() => ServerSettings.Parse([], n => env.GetValueOrDefault(n)));
        Assert.Contains("--environment sandbox", refused.Message);
        var sandboxed = ServerSettings.Parse(["--environment", "sandbox"], n => env.GetValueOrDefault(n));
        Assert.Equal(new DateOnly(2025, 6, 2), ((BusinessDateClock)sandboxed.Clock(TimeProvider.System)).Date);
    }
}

public sealed class ProductionBusinessDateTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task A_production_server_runs_on_the_real_date_and_refuses_to_advance_it()
    {
        var advance = await server.Run(server.Key("admin"), "business-date", "advance", "--days", "1");
        Assert.Equal(ExitCodes.Refused, advance.ExitCode);
        Assert.Contains("NOT_A_SANDBOX", advance.Error);
        Assert.Equal("2026-07-01 (production)", (await server.Run(server.Key("admin"), "business-date")).Out.Trim());
    }
}
