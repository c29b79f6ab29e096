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
    public async Task Concurrent_retries_of_one_repayment_record_it_once_and_all_answer_the_same()
    {
        // A loan write checks its request id after locking the loan: the retries queue on the lock and replay.
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var request = new RecordRepaymentRequest { RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, AmountFen = 178_889, PaidDate = "2025-09-20" };
        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => steps.Bank.Loans.RecordRepaymentAsync(request).ResponseAsync));
        Assert.All(replies, r => Assert.Equal(replies[0], r));
        Assert.Equal(178_889, replies[0].InterestFen);
        var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
        Assert.Single(events.Events, e => e.Action == "loan.repayment_recorded");
    }

    [Fact]
    public async Task One_request_id_sent_for_two_loans_at_once_records_one_repayment_and_refuses_the_other_as_reused()
    {
        // The two calls lock different loans, so both may pass the check; the loser's insert of the id
        // fails on its key and is run again, which refuses the reuse (never INTERNAL, never both recorded).
        var steps = new LoanSteps(server);
        var loans = new[] { await steps.Disbursed(), await steps.Disbursed() };
        for (var round = 0; round < 5; round++)
        {
            var requestId = DanbaoClient.NewRequestId();
            var outcomes = await Task.WhenAll(loans.Select(async loan =>
            {
                try
                {
                    await steps.Bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest { RequestId = requestId, Name = loan.Name, AmountFen = 100, PaidDate = "2025-09-20" });
                    return (StatusCode?)null;
                }
                catch (RpcException ex)
                {
                    Assert.Equal("REQUEST_ID_REUSED", ex.Reason());
                    return ex.StatusCode;
                }
            }));
            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o == StatusCode.AlreadyExists);
        }
        var recorded = 0;
        foreach (var loan in loans)
        {
            var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
            recorded += events.Events.Count(e => e.Action == "loan.repayment_recorded");
        }
        Assert.Equal(5, recorded);
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
