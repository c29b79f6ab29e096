using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Grpc;
using Danbao.Server.Tests.Support;

namespace Danbao.Proof.Tests;

/// <summary>Bugs the fuzzer found, pinned down one by one through the API.</summary>
public sealed class BadInputTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    // Skipped so ./test.sh stays green for the team while the owner of LoanMapping/ListLoans fixes it:
    // remove Skip with the fix (it fails today: INTERNAL "Sequence contains no matching element").
    [Fact(Skip = "BUG found by the fuzzer: ListLoans state=99 answers INTERNAL (LoanMapping.ToDomain throws); see KnownBugs")]
    public async Task ListLoans_with_an_unknown_state_filter_is_INVALID_ARGUMENT()
    {
        var bank = server.As("icbc-gz");
        var ex = await Assert.ThrowsAsync<RpcException>(() => bank.Loans.ListLoansAsync(new ListLoansRequest { State = (LoanState)99 }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(ex.FieldViolations(), v => v.Field == "state");
    }
}
