using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// A stream's lines go to PostgreSQL as one COPY (batches of 1,000 on this server): the claim's key refuses a repeated
/// line only when the COPY ends, and names it by its place in the stream, which the server does not keep.
/// </summary>
public sealed class SubsidyStreamKeyTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_line_the_claims_key_refuses_long_before_the_stream_ends_is_named_by_its_place_and_nothing_is_filed()
    {
        var steps = new SubsidySteps(server);
        steps.Today("2025-10-16");
        var claim = await steps.Open("2025-Q3");
        // 6,001 lines of loans the bank does not have (each a NOT_PAYABLE row of the claim); lines[1000] repeats lines[0]
        // in the next batch, so only the claim's key can find it, and five batches are written after it.
        static string Loan(int i) => $"loans/L0NOSUCH{(i == 1_000 ? 0 : i):D8}";
        var lines = Enumerable.Range(0, 6_001).Select(i => new SubsidyClaimLineInput { Loan = Loan(i), InterestPaidFen = 100_00, SubsidyClaimedFen = 50_00 });

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            steps.Bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(), lines));

        Assert.Equal((StatusCode.AlreadyExists, "SUBSIDY_LINE_EXISTS"), (refused.StatusCode, refused.Reason()));
        Assert.Equal("lines[1000]", refused.FieldViolations().Single().Field);
        Assert.Equal("lines[1000]", refused.ReasonMetadata()["line"]);
        // Its batch left the last four written long before the COPY ended: the loan is not named.
        Assert.False(refused.ReasonMetadata().ContainsKey("loans"));
        var now = await steps.Bank.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name });
        Assert.Equal((0, claim.Etag), (now.LineCount, now.Etag));
        Assert.Empty((await steps.Bank.Subsidy.ListSubsidyClaimLinesAsync(new ListSubsidyClaimLinesRequest { Claim = claim.Name })).Lines);
    }
}
