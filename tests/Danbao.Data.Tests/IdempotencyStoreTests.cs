using System.Text;
using Dapper;
using Danbao.Data.Idempotency;
using Danbao.TestSupport;

namespace Danbao.Data.Tests;

public sealed class IdempotencyStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly IdempotencyStore _store = new();

    [Fact]
    public async Task Twenty_concurrent_identical_requests_execute_once_and_the_rest_replay_the_same_bytes()
    {
        var requestId = "req-" + Guid.NewGuid();
        var hash = IdempotencyStore.Hash(Encoding.UTF8.GetBytes("{\"loan\":\"L-1\",\"amount_fen\":20000000}"));
        await using (var setup = await postgres.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("create table if not exists effects (request_id text not null)");
        }
        var executions = 0;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var claim = await _store.ClaimAsync(connection, transaction, "BANK-ICBC-GZ", requestId, "Disburse", hash, ct);
                switch (claim)
                {
                    case IdempotencyClaim.Replay replay:
                        return (Kind: "replay", Bytes: replay.Response);
                    case IdempotencyClaim.New:
                        Interlocked.Increment(ref executions);
                        await connection.ExecuteAsync("insert into effects values (@requestId)", new { requestId }, transaction);
                        await Task.Delay(50, ct); // Hold the claim so the others pile up on the unique index.
                        var response = Encoding.UTF8.GetBytes("disbursed " + requestId);
                        await _store.CompleteAsync(connection, transaction, "BANK-ICBC-GZ", requestId, response, ct);
                        return (Kind: "new", Bytes: response);
                    default:
                        throw new InvalidOperationException($"unexpected {claim}");
                }
            },
            CancellationToken.None))));

        Assert.Equal(1, executions);
        Assert.Single(responses, r => r.Kind == "new");
        Assert.Equal(19, responses.Count(r => r.Kind == "replay"));
        var expected = Encoding.UTF8.GetBytes("disbursed " + requestId);
        Assert.All(responses, r => Assert.Equal(expected, r.Bytes));
        await using var check = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("select count(*) from effects where request_id = @requestId", new { requestId }));
    }

    [Fact]
    public async Task The_same_request_id_with_a_different_body_or_method_is_a_mismatch()
    {
        var requestId = "req-" + Guid.NewGuid();
        var hash = IdempotencyStore.Hash("a"u8);
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                Assert.IsType<IdempotencyClaim.New>(await _store.ClaimAsync(connection, transaction, "S", requestId, "Disburse", hash, ct));
                await _store.CompleteAsync(connection, transaction, "S", requestId, [1, 2, 3], ct);
                return 0;
            },
            CancellationToken.None);

        var claims = await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) => new[]
            {
                await _store.ClaimAsync(connection, transaction, "S", requestId, "Disburse", IdempotencyStore.Hash("b"u8), ct),
                await _store.ClaimAsync(connection, transaction, "S", requestId, "Repay", hash, ct),
                await _store.ClaimAsync(connection, transaction, "S", requestId, "Disburse", hash, ct),
                await _store.ClaimAsync(connection, transaction, "OTHER-SCOPE", requestId, "Disburse", hash, ct),
            },
            CancellationToken.None);

        Assert.Equal(new IdempotencyClaim.Mismatch("Disburse", SameMethod: true), claims[0]);
        Assert.Equal(new IdempotencyClaim.Mismatch("Disburse", SameMethod: false), claims[1]);
        Assert.Equal([1, 2, 3], Assert.IsType<IdempotencyClaim.Replay>(claims[2]).Response);
        Assert.IsType<IdempotencyClaim.New>(claims[3]);
    }

    [Fact]
    public async Task A_claim_rolled_back_with_its_transaction_leaves_the_request_id_free()
    {
        var requestId = "req-" + Guid.NewGuid();
        var hash = IdempotencyStore.Hash("x"u8);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await postgres.Database.InTransactionAsync<int>(
            async (connection, transaction, ct) =>
            {
                await _store.ClaimAsync(connection, transaction, "S", requestId, "Disburse", hash, ct);
                throw new InvalidOperationException("domain refused");
            },
            CancellationToken.None));

        var claim = await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _store.ClaimAsync(connection, transaction, "S", requestId, "Disburse", hash, ct),
            CancellationToken.None);
        Assert.IsType<IdempotencyClaim.New>(claim);
    }
}
