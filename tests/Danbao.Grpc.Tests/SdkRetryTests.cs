using System.Net;
using System.Net.Sockets;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
using Grpc.Core;

namespace Danbao.Grpc.Tests;

/// <summary>
/// The SDK's channel against a scripted LoanService: UNAVAILABLE is retried only for methods whose
/// request has a request_id (writes), with the same request, a bounded number of times.
/// </summary>
public sealed class SdkRetryTests : IAsyncLifetime
{
    private const string ApiKey = "dbk_test_not_a_real_key";
    private FakeLoanService _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeLoanService.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private DanbaoClient Sdk(int writeAttemptsMax = 5) => new(_fake.Address, ApiKey, new DanbaoClientOptions { WriteAttemptsMax = writeAttemptsMax });

    private static CreateLoanRequest Write() => new() { RequestId = DanbaoClient.NewRequestId(), Loan = new Loan() };

    [Fact]
    public async Task A_write_with_a_request_id_is_retried_after_unavailable_with_the_same_request_id()
    {
        _fake.Script = (_, attempt) =>
        {
            if (attempt <= 2)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "try again"));
            }
        };
        using var sdk = Sdk();
        var request = Write();
        var loan = await sdk.Loans.CreateLoanAsync(request);
        Assert.Equal("loans/L0000000000FAKEFAKE0", loan.Name);
        Assert.Equal(3, _fake.CountOf("CreateLoan"));
        Assert.All(_fake.Calls, c => Assert.Equal(request.RequestId, c.RequestId));
    }

    [Fact]
    public async Task A_read_is_not_retried_after_unavailable()
    {
        _fake.Script = (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "down"));
        using var sdk = Sdk();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await sdk.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/L1" }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, _fake.CountOf("GetLoan"));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.Aborted)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.ResourceExhausted)]
    public async Task Other_failures_of_a_write_are_not_retried(StatusCode code)
    {
        _fake.Script = (_, _) => throw new RpcException(new Status(code, "no"));
        using var sdk = Sdk();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await sdk.Loans.CreateLoanAsync(Write()));
        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(1, _fake.CountOf("CreateLoan"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Attempts_of_a_write_are_bounded_by_write_attempts_max(int attemptsMax)
    {
        _fake.Script = (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "down"));
        using var sdk = Sdk(attemptsMax);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await sdk.Loans.CreateLoanAsync(Write()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(attemptsMax, _fake.CountOf("CreateLoan"));
    }

    [Fact]
    public async Task Every_call_carries_the_api_key_and_a_default_deadline()
    {
        using var sdk = Sdk();
        await sdk.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/L1" });
        await sdk.Loans.CreateLoanAsync(Write());
        Assert.All(_fake.Calls, c => Assert.Equal(("Bearer " + ApiKey, true), (c.Authorization, c.HasDeadline)));
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        } // nothing listens there now
        using var sdk = new DanbaoClient(new Uri($"http://127.0.0.1:{port}"), ApiKey, new DanbaoClientOptions { WriteAttemptsMax = 3, Timeout = TimeSpan.FromSeconds(10) });
        var write = await Assert.ThrowsAsync<RpcException>(async () => await sdk.Loans.CreateLoanAsync(Write()));
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
        var read = await Assert.ThrowsAsync<RpcException>(async () => await sdk.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/L1" }));
        Assert.Equal(StatusCode.Unavailable, read.StatusCode);
    }
}
