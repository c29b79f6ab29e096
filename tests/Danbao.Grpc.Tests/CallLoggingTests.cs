using Danbao.Grpc.Tests.Support;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>The call log: every call that does not end OK, and one OK call in --log-ok-calls (the metrics count them all).</summary>
public sealed class CallLoggingTests
{
    [Fact]
    public async Task Calls_that_end_OK_are_logged_one_in_N_and_every_other_call_is_logged()
    {
        await using var host = await TransportHost.StartAsync((settings, _) => settings with { LogOkCallsEvery = 3 });
        var test = new TestService.TestServiceClient(host.Channel());
        for (var i = 0; i < 6; i++)
        {
            await test.EmptyCallAsync(new Empty());
        }
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await test.UnimplementedCallAsync(new Empty()));
        }

        // The line is written before the reply leaves the interceptor: no waiting needed.
        int Lines(string start) => host.Logs.Entries.Count(e => e.Message.StartsWith(start, StringComparison.Ordinal));
        Assert.Equal(2, Lines("rpc /grpc.testing.TestService/EmptyCall OK "));
        Assert.Equal(2, Lines("rpc /grpc.testing.TestService/UnimplementedCall UNIMPLEMENTED "));
    }
}
