using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Hosting;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests;

/// <summary>
/// Authentication that cannot be used to starve the service (issue 14, findings 3 and 7). A key
/// already known to fail is refused from memory: the tests prove it by holding an exclusive lock on
/// api_keys, so any call that still asked PostgreSQL would wait for its deadline instead.
/// </summary>
public sealed class SecurityTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>The bank's key with another key id: well-formed, unknown.</summary>
    private string UnknownKey(char c) => "dbk_" + new string(c, 12) + server.Host.DemoKeys["icbc-gz"][16..];

    private static async Task<RpcException> Refused(DanbaoClient client) =>
        await Assert.ThrowsAsync<RpcException>(async () => await client.Policy.ListLprRatesAsync(new ListLprRatesRequest(), deadline: DateTime.UtcNow + Deadline));

    [Fact]
    public async Task Two_authorization_headers_are_unauthenticated_even_when_each_is_valid()
    {
        var channelClient = server.WithKey(null);
        var headers = new Metadata
        {
            { "authorization", "Bearer " + server.Host.DemoKeys["icbc-gz"] },
            { "authorization", "Bearer " + server.Host.DemoKeys["admin"] },
        };
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await channelClient.Policy.ListLprRatesAsync(new ListLprRatesRequest(), headers));
        Assert.Equal((StatusCode.Unauthenticated, "AUTHORIZATION_REPEATED"), (refused.StatusCode, refused.Reason()));
    }

    [Fact]
    public async Task Unknown_revoked_and_malformed_keys_are_refused_from_memory_after_the_first_miss()
    {
        var admin = server.As("admin");
        var bank = server.As("icbc-gz");
        var created = await admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", Description = "to revoke" });
        var revokedKey = server.WithKey(created.Secret);
        await revokedKey.Policy.ListLprRatesAsync(new ListLprRatesRequest());
        await admin.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Key.Name });
        var unknown = server.WithKey(UnknownKey('q'));
        var wrongSecret = server.WithKey(server.Host.DemoKeys["icbc-gz"][..^4] + "AAAA");
        // First misses: one look-up each.
        Assert.Equal("API_KEY_INVALID", (await Refused(unknown)).Reason());
        Assert.Equal("API_KEY_INVALID", (await Refused(wrongSecret)).Reason());
        await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest());

        await using var dataSource = server.Database.CreateDataSource();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lockKeys = new Npgsql.NpgsqlCommand("lock table api_keys in access exclusive mode", conn, tx))
        {
            await lockKeys.ExecuteNonQueryAsync();
        }
        // With api_keys locked, only answers from memory come back before the deadline.
        foreach (var (client, reason) in new[]
        {
            (unknown, "API_KEY_INVALID"), (wrongSecret, "API_KEY_INVALID"), (revokedKey, "API_KEY_INVALID"),
            (server.WithKey("dbk_not-a-key"), "API_KEY_MALFORMED"), (server.WithKey(null), "CREDENTIALS_MISSING"),
        })
        {
            for (var i = 0; i < 20; i++)
            {
                var refused = await Refused(client);
                Assert.Equal((StatusCode.Unauthenticated, reason), (refused.StatusCode, refused.Reason()));
            }
        }
        // The bank's own key (known good, in memory) still works meanwhile.
        Assert.NotEmpty((await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest(), deadline: DateTime.UtcNow + Deadline)).Rates);
        await tx.RollbackAsync();
    }

    [Fact]
    public async Task Failed_authentications_are_logged_sampled_not_one_line_each()
    {
        var attacker = server.WithKey(UnknownKey('z'));
        for (var i = 0; i < 200; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await attacker.Policy.WithdrawPolicyVersionAsync(new WithdrawPolicyVersionRequest()));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }
        // WithdrawPolicyVersion is called unauthenticated by this test alone (the log sink is shared by every server of the run).
        var lines = DanbaoServer.Logs.Lines.Where(l => l.Contains("rpc /danbao.v1.PolicyService/WithdrawPolicyVersion UNAUTHENTICATED", StringComparison.Ordinal)).ToList();
        Assert.InRange(lines.Count, 1, 20);
        Assert.All(lines, l => Assert.Contains("failed authentications not logged in the last second", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_the_client_cancels_is_logged_as_cancelled_without_a_stack()
    {
        var bank = server.As("icbc-gz");
        await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest()); // the key known, so the call is seldom cancelled before it has a caller
        using var cancel = new CancellationTokenSource();
        using var call = bank.Fund.UploadBankStatement(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(new UploadBankStatementRequest { AsOfDate = "2027-06-30" });
        await cancel.CancelAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, refused.StatusCode);
        // The server learns of the cancellation asynchronously: wait for its call log line (bounded).
        const string method = "/danbao.v1.FundService/UploadBankStatement";
        string[] Lines() => DanbaoServer.Logs.Lines.Where(l => l.Contains(method, StringComparison.Ordinal) || l.Contains("UploadBankStatement", StringComparison.Ordinal)).ToArray();
        for (var i = 0; i < 200 && !Lines().Any(l => l.Contains($"rpc {method} CANCELLED", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }
        var lines = Lines();
        // The caller is named once authenticated; a cancellation that overtakes authentication has none (caller=-).
        Assert.True(lines.Any(l => l.Contains($"rpc {method} CANCELLED", StringComparison.Ordinal)
                && (l.Contains("caller=icbc-gz", StringComparison.Ordinal) || l.Contains("caller=- ", StringComparison.Ordinal))),
            "no CANCELLED call log line among:\n" + string.Join("\n", lines));
        Assert.DoesNotContain(lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }
}

/// <summary>The test server with the production-like failure limit: 3 failures per peer, refilled once a minute.</summary>
public sealed class StrictAuthDanbaoServer : DanbaoServer
{
    protected override ServerSettings Configure(ServerSettings settings) =>
        settings with { AuthFailureBurst = 3, AuthFailuresPerSecond = 1, AuthFailureRefillPeriod = TimeSpan.FromMinutes(1) };
}

/// <summary>Failed authentications are limited per peer address (issue 14, finding 3).</summary>
public sealed class AuthFailureLimitTests(StrictAuthDanbaoServer server) : IClassFixture<StrictAuthDanbaoServer>
{
    [Fact]
    public async Task A_peer_that_keeps_failing_gets_resource_exhausted_with_retry_info_and_good_keys_keep_working()
    {
        var bank = server.As("icbc-gz");
        await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest());
        var unknownKeys = Enumerable.Range(0, 6).Select(i => server.WithKey("dbk_" + new string((char)('a' + i), 12) + "_secretsecretsecret")).ToList();
        var statuses = new List<(StatusCode, string?)>();
        foreach (var client in unknownKeys)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.Policy.ListLprRatesAsync(new ListLprRatesRequest()));
            statuses.Add((refused.StatusCode, refused.Reason()));
            if (refused.StatusCode == StatusCode.ResourceExhausted)
            {
                Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryDelay());
            }
        }
        Assert.Equal(
            [
                (StatusCode.Unauthenticated, "API_KEY_INVALID"), (StatusCode.Unauthenticated, "API_KEY_INVALID"), (StatusCode.Unauthenticated, "API_KEY_INVALID"),
                (StatusCode.ResourceExhausted, "AUTHENTICATION_FAILURES_EXHAUSTED"), (StatusCode.ResourceExhausted, "AUTHENTICATION_FAILURES_EXHAUSTED"),
                (StatusCode.ResourceExhausted, "AUTHENTICATION_FAILURES_EXHAUSTED"),
            ],
            statuses);
        // A caller whose key is known good is not limited with the attacker behind the same address.
        Assert.NotEmpty((await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest())).Rates);
        // Nor once its credential cache entry has expired (750 ms): the key authenticated recently, so it
        // is looked up (and a revocation would still be seen) while the address stays over its limit.
        server.Clock.Set(server.Clock.GetUtcNow() + TimeSpan.FromSeconds(5));
        Assert.NotEmpty((await bank.Policy.ListLprRatesAsync(new ListLprRatesRequest())).Rates);
        var stillLimited = await Assert.ThrowsAsync<RpcException>(async () => await unknownKeys[0].Policy.ListLprRatesAsync(new ListLprRatesRequest()));
        Assert.Equal(StatusCode.ResourceExhausted, stillLimited.StatusCode);
    }
}
