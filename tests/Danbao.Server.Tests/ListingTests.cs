using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Listing loans: filters, newest first, page tokens that neither skip nor repeat.</summary>
public sealed class ListingTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task Pages_cover_every_loan_once_newest_first()
    {
        var steps = new LoanSteps(server, bank: "gzrcb");
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            server.Clock.Set(server.Clock.GetUtcNow().AddSeconds(1));
            created.Add((await steps.Submit()).Name);
        }
        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 3, PageToken = token });
            seen.AddRange(page.Loans.Select(l => l.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        Assert.Equal(3, pages);
        Assert.Equal(created.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task Filters_by_state_and_district()
    {
        var steps = new LoanSteps(server, bank: "boc-gz");
        var request = LoanSteps.Individual();
        request.Loan.District = "越秀区";
        var reviewed = await steps.Review(await steps.Submit(request));
        await steps.Submit();
        var inPublicity = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { State = LoanState.Publicity });
        Assert.Equal([reviewed.Name], inPublicity.Loans.Select(l => l.Name));
        var yuexiu = await server.As("gz-fund").Loans.ListLoansAsync(new ListLoansRequest { District = "越秀区" });
        Assert.Equal([reviewed.Name], yuexiu.Loans.Select(l => l.Name));
    }

    [Fact]
    public async Task A_forged_page_token_is_invalid_argument()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            server.As("icbc-gz").Loans.ListLoansAsync(new ListLoansRequest { PageToken = "not-a-token" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("page_token", refused.FieldViolations().Single().Field);
    }
}
