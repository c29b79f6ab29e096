using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Proof.Tests;

/// <summary>Bugs the fuzzer found, pinned down one by one through the API.</summary>
public sealed class BadInputTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    // Found by the fuzzer: an unknown enum value used to answer INTERNAL.
    [Fact]
    public async Task ListLoans_with_an_unknown_state_filter_is_INVALID_ARGUMENT()
    {
        var bank = server.As("icbc-gz");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.ListLoansAsync(new ListLoansRequest { State = (LoanState)99 }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(ex.FieldViolations(), v => v.Field == "state");
    }
}
