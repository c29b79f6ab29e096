using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>The test server with a database pool of one connection, to put writes under pool pressure.</summary>
public sealed class SmallPoolDanbaoServer : DanbaoServer
{
    protected override ServerSettings Configure(ServerSettings settings) =>
        settings with { ConnectionString = settings.ConnectionString + ";Maximum Pool Size=1;Timeout=3" };
}

/// <summary>
/// Reference data is refreshed without taking a second pooled connection inside a write: when every
/// connection is held by a write, the writes still finish (found by the write benchmark at 128 clients).
/// </summary>
public sealed class PoolPressureTests(SmallPoolDanbaoServer server) : IClassFixture<SmallPoolDanbaoServer>
{
    [Fact]
    public async Task Concurrent_writes_finish_when_the_reference_data_is_stale_and_the_pool_is_full()
    {
        var steps = new LoanSteps(server);
        var loans = new List<Loan>();
        for (var i = 0; i < 6; i++)
        {
            loans.Add(await steps.Disbursed());
        }
        // Past the cache's TTL: the next reads find the policy data stale.
        server.Clock.Set(server.Clock.GetUtcNow() + ReferenceCacheTtl() + TimeSpan.FromSeconds(1));
        var writes = Enumerable.Range(0, 18).Select(i => steps.Bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loans[i % loans.Count].Name, AmountFen = 100, PaidDate = "2025-07-01",
        }).ResponseAsync);
        var all = Task.WhenAll(writes);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(all, finished);
        Assert.All(await all, r => Assert.Equal(100, r.InterestFen));
    }

    [Fact]
    public async Task A_streamed_claim_holding_the_pools_only_connection_reads_its_loans_on_the_side_pool()
    {
        // The stream holds the main pool's one connection for its transaction; its batch loads take a connection of
        // the side pool. Had they asked the main pool, the call would wait on itself until the pool's 3 s timeout.
        var steps = new Subsidy.SubsidySteps(server);
        var loans = new List<Loan>();
        for (var i = 0; i < 3; i++)
        {
            loans.Add(await steps.Disbursed());
            await steps.Loans.Repay(loans[^1], 178_889, "2025-09-20");
        }
        steps.Today("2025-10-19");
        var claim = await steps.Open("2025-Q3");
        var reply = await steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(),
            loans.Select(l => new SubsidyClaimLineInput { Loan = l.Name, InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444 }), linesPerMessage: 1);
        Assert.Equal((3, 3 * 89_444L), (reply.Claim.LineCount, reply.Claim.ClaimedSubsidyFen));
    }

    private static TimeSpan ReferenceCacheTtl() => Danbao.Server.Reference.ReferenceDataCache.Ttl;
}
