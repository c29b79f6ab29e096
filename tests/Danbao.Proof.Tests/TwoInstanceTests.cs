using System.Diagnostics;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Proof.Tests.Support;
using Danbao.TestSupport;
using Grpc.Core;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// Several instances, one database (issue 14, §5): two server processes on one PostgreSQL, sharing the
/// demo keys and the PII key (one directory). What one instance does holds on the other.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class TwoInstanceTests(ITestOutputHelper output)
{
    private const int Guarantees = 50;

    [Fact]
    public async Task Two_instances_on_one_database_agree_on_keys_retries_leverage_and_policy()
    {
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-two-").FullName;
        await using var a = new ServerProcess(database.ConnectionString, dir);
        await using var b = new ServerProcess(database.ConnectionString, dir);
        try
        {
            await a.StartAsync();
            await b.StartAsync();

            // 1. A key revoked through A is refused by B within a second.
            using var adminA = a.Client("admin");
            var created = await adminA.Identity.CreateApiKeyAsync(new CreateApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", Description = "two instances" });
            using var onB = new DanbaoClient(b.Address, created.Secret, new DanbaoClientOptions { Timeout = TimeSpan.FromSeconds(10) });
            await onB.Policy.ListLprRatesAsync(new ListLprRatesRequest()); // cached as valid on B
            await adminA.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Key.Name });
            // The bound is on when B last accepted a call, not on when a refusal came back: a loaded machine may take
            // hundreds of milliseconds to answer, but no call B begins after the second may pass.
            var revoked = Stopwatch.StartNew();
            var lastAccepted = TimeSpan.Zero;
            while (true)
            {
                var started = revoked.Elapsed;
                try
                {
                    await onB.Policy.ListLprRatesAsync(new ListLprRatesRequest());
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
                {
                    break;
                }
                lastAccepted = started;
                Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(5), "B still accepts the revoked key after 5 s");
                await Task.Delay(20);
            }
            output.WriteLine($"revoked on A; B last accepted a call begun {lastAccepted.TotalMilliseconds:F0} ms after, refused after {revoked.Elapsed.TotalMilliseconds:F0} ms");
            Assert.True(lastAccepted < TimeSpan.FromSeconds(1), $"B accepted the revoked key in a call begun {lastAccepted.TotalMilliseconds:F0} ms after the revocation");

            // 2. A write retried on the other instance returns the first answer.
            using var bankA = a.Client("icbc-gz");
            using var bankB = b.Client("icbc-gz");
            var application = Lifecycle.Application();
            var first = await bankA.Loans.CreateLoanAsync(application);
            var retried = await bankB.Loans.CreateLoanAsync(application);
            Assert.Equal(first, retried);

            // 3. 50 concurrent guarantees over both never breach leverage: k = 5 on 810,000.00 of capital
            // is 4,050,000.00 of guarantees, room for 20 loans of 200,000.00.
            using (var finance = a.Client("gz-finance"))
            {
                await finance.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
                {
                    RequestId = "two-instances-capital", Fund = "institutions/gz-fund", AmountFen = 810_000_00,
                    FundingSource = FundingSource.FinanceCapital, ContributionDate = "2020-01-02", Reference = "two instances",
                });
            }
            var approved = new List<Loan>();
            using (var hrss = a.Client("gz-hrss"))
            using (var fund = a.Client("gz-fund"))
            {
                for (var i = 0; i < Guarantees; i++)
                {
                    var loan = await bankA.Loans.CreateLoanAsync(Lifecycle.Application());
                    loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = "2025-06-02" });
                    loan = await hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, BusinessDate = "2025-06-05" });
                    loan = await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
                    loan = await bankA.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Passed = true });
                    approved.Add(await bankA.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag }));
                }
            }
            using var fundA = a.Client("gz-fund", TimeSpan.FromSeconds(60));
            using var fundB = b.Client("gz-fund", TimeSpan.FromSeconds(60));
            var outcomes = await Task.WhenAll(approved.Select(async (loan, i) =>
            {
                try
                {
                    await (i % 2 == 0 ? fundA : fundB).Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = "2025-06-15" });
                    return "OK";
                }
                catch (RpcException ex)
                {
                    return $"{ex.StatusCode} {ex.Reason()}";
                }
            }));
            output.WriteLine("guarantees: " + string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key} ×{g.Count()}")));
            Assert.Equal(20, outcomes.Count(o => o == "OK"));
            Assert.All(outcomes.Where(o => o != "OK"), o => Assert.StartsWith("FailedPrecondition", o));

            // 4. A version added on A governs decisions on B from its effective date (today, CST):
            // Guangzhou's individual cap falls to 150,000.00; B refuses 200,000.00 contracted today, not yesterday.
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
            string D(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            await adminA.Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Version = new PolicyVersion { Parameter = "INDIVIDUAL_LOAN_CAP", Region = "CN-GD-GZ", EffectiveFromDate = D(today), Value = "150000.00", Source = "two instances" },
            });
            var added = Stopwatch.StartNew();
            CreateLoanRequest Contracted(DateOnly on)
            {
                var r = Lifecycle.Application();
                r.Loan.ContractDate = D(on);
                r.Loan.ApplicationDate = D(on);
                r.Loan.ContractRateBp = 300;
                return r;
            }
            string? reason = null;
            while (reason is null)
            {
                try
                {
                    await bankB.Loans.CreateLoanAsync(Contracted(today));
                    Assert.True(added.Elapsed < TimeSpan.FromSeconds(15), "B still decides with the old cap after 15 s");
                    await Task.Delay(100);
                }
                catch (RpcException ex)
                {
                    reason = ex.Reason();
                }
            }
            output.WriteLine($"version added on A governs B after {added.Elapsed.TotalMilliseconds:F0} ms ({reason})");
            Assert.Equal("AMOUNT_ABOVE_CAP", reason);
            var yesterday = await bankB.Loans.CreateLoanAsync(Contracted(today.AddDays(-1)));
            Assert.Equal(LoanState.Submitted, yesterday.State);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
