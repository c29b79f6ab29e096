using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests.Transport;

/// <summary>A message above the server's --max-message-bytes is refused, and the channel that sent it keeps working.</summary>
public sealed class OversizedMessageTests(SmallStreamDanbaoServer server) : IClassFixture<SmallStreamDanbaoServer>
{
    private static UploadBankStatementRequest Big()
    {
        // ~5.2 MB: 100,000 lines of a 45-character loan name each, above the server's 4 MiB.
        var big = new UploadBankStatementRequest { AsOfDate = "2027-06-30" };
        for (var i = 0; i < 100_000; i++)
        {
            big.Lines.Add(new StatementLine { Loan = $"loans/L{i:D38}", OutstandingFen = 1 });
        }
        return big;
    }

    [Fact]
    public async Task Oversized_messages_are_refused_by_the_server_and_the_channel_still_serves_the_next_call()
    {
        var bank = server.As("icbc-gz"); // its client sends up to 16 MiB, so the server's limit is the one met
        var big = Big();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => bank.Fund.UploadBankStatementAsync([big]));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        }
        var rates = await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest(), deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.NotEmpty(rates.Rates);
        // A stream on the same channel: a statement of one line of a loan the ledger does not know.
        var small = new UploadBankStatementRequest { AsOfDate = "2027-06-30", Lines = { new StatementLine { Loan = "loans/LNOSUCHLOAN0001", OutstandingFen = 100 } } };
        var compared = await bank.Fund.UploadBankStatementAsync([small]);
        Assert.Equal(1, compared.LinesReceived);
    }

    [Fact]
    public async Task A_message_above_the_clients_own_limit_is_refused_at_once_not_sent()
    {
        using var client = new DanbaoClient(server.Address, server.Host.DemoKeys["icbc-gz"], new DanbaoClientOptions { Timeout = TimeSpan.FromSeconds(20) }); // 4 MiB, the default
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.Fund.UploadBankStatementAsync([Big()]));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("Sending message exceeds", refused.Status.Detail, StringComparison.Ordinal);
    }
}
