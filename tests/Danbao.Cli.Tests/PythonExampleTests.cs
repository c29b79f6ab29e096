using System.Diagnostics;
using System.Text.Json;
using Danbao.Cli.Tests.Support;
using Danbao.Client;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Tests;

/// <summary>
/// examples/python/bank_integration.py (python3-grpcio) as a bank, against the real server; the
/// employment service and the fund act in C#. Keeps the example from rotting.
/// </summary>
public sealed class PythonExampleTests(CliServer server) : IClassFixture<CliServer>
{
    private static readonly string Script = Path.Combine(Repository.Root, "examples", "python", "bank_integration.py");

    [Fact]
    public async Task The_python_bank_submits_disburses_repays_and_claims_the_subsidy()
    {
        var submitted = await Python("submit", "--date", "2026-03-01");
        var name = submitted.GetProperty("loan").GetString()!;
        Assert.StartsWith("loans/", name);
        Assert.Matches(@"^4401\*{10}\d{3}[0-9X]$", submitted.GetProperty("masked_id").GetString());

        var hrss = server.As("gz-hrss");
        var fund = server.As("gz-fund");
        var loan = await hrss.Loans.GetLoanAsync(new GetLoanRequest { Name = name });
        loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest { RequestId = DanbaoClient.NewRequestId(), Name = name, Etag = loan.Etag, PublicityStartDate = "2026-03-02" });
        loan = await hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest { RequestId = DanbaoClient.NewRequestId(), Name = name, Etag = loan.Etag, BusinessDate = "2026-03-05" });
        await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = name, Etag = loan.Etag, Passed = true });

        Assert.True((await Python("due-diligence", name)).GetProperty("bank_due_diligence").GetBoolean());
        Assert.Equal("APPROVED", (await Python("approve", name)).GetProperty("state").GetString());

        loan = await fund.Loans.GetLoanAsync(new GetLoanRequest { Name = name });
        // The fund needs capital before it can guarantee anything (leverage k × balance).
        await server.As("gz-finance").Fund.ContributeCapitalAsync(new ContributeCapitalRequest
        {
            RequestId = "python-example-capital", Fund = "institutions/gz-fund", AmountFen = 10_000_000_00,
            FundingSource = FundingSource.FinanceCapital, ContributionDate = "2026-01-05", Reference = "test capital",
        });
        await fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest { RequestId = DanbaoClient.NewRequestId(), Name = name, Etag = loan.Etag, GuaranteeDate = "2026-03-08" });

        var disbursed = await Python("disburse", name, "--date", "2026-03-10");
        Assert.Equal("CURRENT", disbursed.GetProperty("state").GetString());
        Assert.Equal("2028-03-10", disbursed.GetProperty("maturity_date").GetString());

        // Bullet loan: interest on the 20th of each quarter's last month. 150,000.00 at 3.50% / 360:
        // 2026-03-10 … 03-20 is 10 days = 145.83; 03-20 … 06-20 is 92 days = 1,341.67.
        var first = await Python("repay", name, "--instalment", "1");
        Assert.Equal(145_83, first.GetProperty("interest_fen").GetInt64());
        Assert.True(first.GetProperty("retry_same_reply").GetBoolean());
        var second = await Python("repay", name, "--instalment", "2");
        Assert.Equal("2026-06-20", second.GetProperty("paid_date").GetString());
        Assert.Equal(1_341_67, second.GetProperty("interest_fen").GetInt64());
        Assert.Equal(150_000_00, second.GetProperty("outstanding_principal_fen").GetInt64());
        var repayments = await server.As("icbc-gz").Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = name, PageSize = 100 });
        Assert.Equal(2, repayments.Events.Count(e => e.Action == "loan.repayment_recorded"));

        // Q2 2026 paid interest: the 06-20 payment (the server's today, 2026-07-01, is in the filing month).
        var claim = await Python("claim-subsidy", "--quarter", "2026-Q2", "--loan", name, "--interest-fen", "134167");
        Assert.Equal("SUBSIDY_CLAIM_SUBMITTED", claim.GetProperty("state").GetString());
        Assert.Equal(67084, claim.GetProperty("claimed_fen").GetInt64());
        Assert.Contains(claim.GetProperty("line_flag").GetString(), new[] { "SUBSIDY_LINE_MATCHES", "SUBSIDY_LINE_DIFFERS" });
    }

    [Fact]
    public async Task The_python_bank_reads_the_reason_and_the_bad_fields_of_a_refusal()
    {
        var errors = await Python("errors");
        var rate = errors.GetProperty("rate_above_cap");
        Assert.Equal("FAILED_PRECONDITION", rate.GetProperty("code").GetString());
        Assert.Equal("RATE_ABOVE_CAP", rate.GetProperty("reason").GetString());
        Assert.Equal("danbao.gov.cn", rate.GetProperty("domain").GetString());
        var bad = errors.GetProperty("bad_input");
        Assert.Equal("INVALID_ARGUMENT", bad.GetProperty("code").GetString());
        var fields = bad.GetProperty("field_violations").EnumerateArray().Select(v => v.GetProperty("field").GetString()).ToList();
        Assert.Contains("loan.amount_fen", fields);
        Assert.Contains("loan.borrower.person.id_number", fields);
    }

    [Fact]
    public async Task A_refused_call_exits_1_with_the_error_as_json()
    {
        var (code, output, _) = await RunPython("--key", "dbk_aaaaaaaaaaaa_nope", "approve", "loans/L0000000000000000000");
        Assert.Equal(1, code);
        Assert.Equal("UNAUTHENTICATED", JsonDocument.Parse(output).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private async Task<JsonElement> Python(params string[] args)
    {
        var (code, output, error) = await RunPython(["--key", server.Key("icbc-gz"), .. args]);
        Assert.True(code == 0, $"bank_integration.py {string.Join(' ', args)} exited {code}\n{output}\n{error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private async Task<(int Code, string Out, string Error)> RunPython(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("--server");
        start.ArgumentList.Add($"127.0.0.1:{server.Host.Port}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim(), await error);
    }
}

/// <summary>The repository's root: the directory above the test binaries that holds Danbao.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Danbao.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Danbao.sln not found above " + AppContext.BaseDirectory);
    }
}
