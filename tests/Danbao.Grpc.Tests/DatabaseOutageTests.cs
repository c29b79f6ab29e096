using System.Net;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Danbao.Grpc.Tests;

/// <summary>The host with its database taken away (through a proxy) and given back: health, readiness and what callers hear.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Health_readiness_and_calls_follow_the_database_down_and_up_again()
    {
        await using var host = await TransportHost.StartAsync(proxiedDatabase: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var healthz = new Uri($"http://127.0.0.1:{host.Host.MetricsPort}/healthz");
        var livez = new Uri($"http://127.0.0.1:{host.Host.MetricsPort}/livez");
        var bank = host.Sdk("icbc-gz");
        var unknownLoan = new GetLoanRequest { Name = "loans/L0000000000ABCDEFGHJK" };
        // Authenticated once while the database is up (the key is then cached): NOT_FOUND is a database answer.
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.GetLoanAsync(unknownLoan))).StatusCode);

        var health = new Health.HealthClient(host.Channel());
        using var watch = health.Watch(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(60));
        var first = await NextAsync(watch);
        if (first == ServingStatus.Unknown)
        {
            // Watch starts UNKNOWN until the health publisher's first run (within a second of start-up).
            first = await NextAsync(watch);
        }
        Assert.Equal(ServingStatus.Serving, first);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(healthz)).StatusCode);

        host.DatabaseProxy!.Cut();
        Assert.Equal(ServingStatus.NotServing, await NextAsync(watch));
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "danbao.v1.LoanService" })).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
        using (var down = await http.GetAsync(healthz))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(livez)).StatusCode);

        // A call that needs the database hears UNAVAILABLE with a retry delay (not INTERNAL).
        var unavailable = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.GetLoanAsync(unknownLoan));
        Assert.Equal((StatusCode.Unavailable, "DATABASE_UNAVAILABLE"), (unavailable.StatusCode, unavailable.Reason()));
        Assert.Equal(TimeSpan.FromSeconds(1), unavailable.RetryDelay());

        host.DatabaseProxy.Restore();
        Assert.Equal(ServingStatus.Serving, await NextAsync(watch));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(healthz)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.GetLoanAsync(unknownLoan))).StatusCode);
    }

    private static async Task<ServingStatus> NextAsync(AsyncServerStreamingCall<HealthCheckResponse> watch)
    {
        Assert.True(await watch.ResponseStream.MoveNext(), "the watch ended");
        return watch.ResponseStream.Current.Status;
    }
}
