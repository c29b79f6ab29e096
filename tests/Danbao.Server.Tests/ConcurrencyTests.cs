using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Optimistic concurrency and idempotency under contention: two reviewers acting at once cannot both win.</summary>
public sealed class ConcurrencyTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Twenty_concurrent_approvals_produce_exactly_one_approval()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Submit();
        loan = await steps.DueDiligence(await steps.Conclude(await steps.Review(loan), "2025-06-05"));
        var sharedId = DanbaoClient.NewRequestId();
        // Ten callers retry one request; ten others each send their own, all with the same etag.
        var requestIds = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? sharedId : DanbaoClient.NewRequestId()).ToList();
        var outcomes = await Task.WhenAll(requestIds.Select(async id =>
        {
            try
            {
                return (Id: id, Loan: await steps.Approve(loan, id), Error: (RpcException?)null);
            }
            catch (RpcException ex)
            {
                return (Id: id, Loan: (Loan?)null, Error: ex);
            }
        }));

        var winners = outcomes.Where(o => o.Loan is not null).ToList();
        Assert.NotEmpty(winners);
        Assert.Single(winners.Select(w => w.Id).Distinct());
        Assert.All(winners, w => Assert.Equal(winners[0].Loan, w.Loan));
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Equal(StatusCode.Aborted, o.Error!.StatusCode));
        Assert.Equal(LoanState.Approved, winners[0].Loan!.State);

        var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
        Assert.Single(events.Events, e => e.Action == "loan.approved");
    }

    [Fact]
    public async Task A_stale_etag_is_aborted_with_the_current_one()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Review(await steps.Submit());
        var stale = loan.Clone();
        await steps.Hrss.Loans.LodgeObjectionAsync(new LodgeObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Objection = "test", LodgedDate = "2025-06-03",
        });
        var aborted = await Assert.ThrowsAsync<RpcException>(async () => await steps.Conclude(stale, "2025-06-05"));
        Assert.Equal(StatusCode.Aborted, aborted.StatusCode);
        Assert.Equal("ETAG_MISMATCH", aborted.Reason());
        Assert.NotEqual(stale.Etag, aborted.ReasonMetadata()["current_etag"]);
    }
}
