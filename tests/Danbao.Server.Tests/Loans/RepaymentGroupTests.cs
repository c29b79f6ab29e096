using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests.Loans;

/// <summary>
/// RecordRepayment calls that arrive together share transactions (group commit, <see cref="Data.Sessions.GroupCommit"/>).
/// Through the API nothing of that shows: every call's figures, refusals and replays are what they would be alone.
/// </summary>
public sealed class RepaymentGroupTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Repayments_sent_at_once_on_many_loans_each_record_their_exact_split_and_a_refused_one_changes_nothing()
    {
        var steps = new LoanSteps(server);
        var loans = new List<Loan>();
        for (var i = 0; i < 8; i++)
        {
            loans.Add(await steps.Disbursed());
        }
        // Three repayments on each loan and one dated before its disbursement (2025-06-20), all at once.
        var requests = loans.SelectMany(loan => new[] { 1_000_000L, 2_000_000L, 3_000_000L }.Select(amount => new RecordRepaymentRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, AmountFen = amount, PaidDate = "2025-09-20",
        })).ToList();
        var early = new RecordRepaymentRequest { RequestId = DanbaoClient.NewRequestId(), Name = loans[3].Name, AmountFen = 500_000, PaidDate = "2025-06-01" };

        var refused = Assert.ThrowsAsync<RpcException>(() => steps.Bank.Loans.RecordRepaymentAsync(early).ResponseAsync);
        var replies = await Task.WhenAll(requests.Select(r => steps.Bank.Loans.RecordRepaymentAsync(r).ResponseAsync));
        Assert.Equal(StatusCode.InvalidArgument, (await refused).StatusCode);

        foreach (var loan in loans)
        {
            var own = requests.Select((r, i) => (Request: r, Reply: replies[i])).Where(x => x.Request.Name == loan.Name).ToList();
            // Interest first: the first repayment paid on the loan carries the interest from disbursement to
            // 2025-09-20 (92 days of 200,000.00 yuan at 3.50 % on a 360-day year: 178,889 fen); the others pay principal only.
            Assert.Equal(178_889, own.Sum(x => x.Reply.InterestFen));
            Assert.All(own, x => Assert.Equal(x.Request.AmountFen, x.Reply.InterestFen + x.Reply.PrincipalFen));
            var now = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
            Assert.Equal(200_000_00 - (6_000_000 - 178_889), now.OutstandingPrincipalFen);
            var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name });
            Assert.Equal(3, events.Events.Count(e => e.Action == "loan.repayment_recorded"));
        }
        // A retry of each answers what was recorded, and records nothing more.
        var again = await Task.WhenAll(requests.Select(r => steps.Bank.Loans.RecordRepaymentAsync(r).ResponseAsync));
        Assert.Equal(replies, again);
        var last = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loans[^1].Name });
        Assert.Equal(3, last.Events.Count(e => e.Action == "loan.repayment_recorded"));
    }
}
