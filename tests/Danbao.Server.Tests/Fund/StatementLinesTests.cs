using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>A statement's lines as the server stages them: each loan once, whatever the messages they arrive in.</summary>
public sealed class StatementLinesTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_statement_listing_a_loan_twice_is_refused_and_a_correct_one_then_compares()
    {
        var steps = new FundSteps(server, "icbc-gz");
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();

        // One line a message, so the duplicate arrives in a later message than the first.
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Fund.UploadBankStatementAsync("2025-12-31",
        [
            new StatementLine { Loan = a.Name, OutstandingFen = 200_000_00 },
            new StatementLine { Loan = b.Name, OutstandingFen = 200_000_00 },
            new StatementLine { Loan = a.Name, OutstandingFen = 200_000_00 },
        ], linesPerMessage: 1));
        Assert.Equal(StatusCode.InvalidArgument, twice.StatusCode);
        Assert.Equal("lines", Assert.Single(twice.FieldViolations()).Field);

        var comparison = await steps.Bank.Fund.UploadBankStatementAsync("2025-12-31",
        [
            new StatementLine { Loan = a.Name, OutstandingFen = 200_000_00 },
            new StatementLine { Loan = b.Name, OutstandingFen = 200_000_00 },
        ], linesPerMessage: 1);
        Assert.Equal((2, 2, 0), (comparison.LinesReceived, comparison.LoansMatched, comparison.BreaksCount));
        Assert.Equal((400_000_00L, 400_000_00L), (comparison.OursTotalFen, comparison.TheirsTotalFen));
    }
}
