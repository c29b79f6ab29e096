using System.Text;
using Dapper;
using Danbao.Data.Idempotency;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>Failures on purpose: dropped connections and lost commit acknowledgements.</summary>
public sealed class FaultInjectionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly IdempotencyStore _idempotency = new();

    [Fact]
    public async Task A_connection_killed_mid_transaction_is_retried_on_a_new_connection_and_commits_once()
    {
        await using (var setup = await postgres.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("create table killed_effects (attempt int not null)");
        }
        var attempts = 0;

        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                await connection.ExecuteAsync("insert into killed_effects values (@attempt)", new { attempt }, transaction);
                if (attempt == 1)
                {
                    // The server ends this backend, as a restart or a network cut would.
                    await using var killer = await postgres.DataSource.OpenConnectionAsync(ct);
                    await killer.ExecuteAsync("select pg_terminate_backend(@pid)", new { pid = connection.ProcessID });
                    await connection.ExecuteAsync("select 1", transaction: transaction);
                }
                return 0;
            },
            CancellationToken.None);

        Assert.Equal(2, attempts);
        await using var check = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal([2], (await check.QueryAsync<int>("select attempt from killed_effects")).ToList());
    }

    [Fact]
    public async Task A_commit_whose_acknowledgement_was_lost_is_replayed_not_posted_twice()
    {
        await using (var setup = await postgres.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("create table lost_ack_effects (request_id text not null)");
        }
        var requestId = "req-" + Guid.NewGuid();
        var hash = IdempotencyStore.Hash("disburse L-9"u8);
        var attempts = 0;

        async Task<byte[]> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        {
            var claim = await _idempotency.ClaimAsync(connection, transaction, "BANK-1", requestId, "Disburse", hash, ct);
            if (claim is IdempotencyClaim.Replay replay)
            {
                return replay.Response;
            }
            await connection.ExecuteAsync("insert into lost_ack_effects values (@requestId)", new { requestId }, transaction);
            var response = Encoding.UTF8.GetBytes("ok " + requestId);
            await _idempotency.CompleteAsync(connection, transaction, "BANK-1", requestId, response, ct);
            return response;
        }

        var result = await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    // First attempt: the work commits on the server, then the client loses the
                    // connection before seeing the acknowledgement.
                    await using var committed = await postgres.DataSource.OpenConnectionAsync(ct);
                    await using var committedTransaction = await committed.BeginTransactionAsync(ct);
                    await ExecuteAsync(committed, committedTransaction, ct);
                    await committedTransaction.CommitAsync(ct);
                    throw new NpgsqlException("connection lost after COMMIT was sent", new IOException("simulated reset"));
                }
                return await ExecuteAsync(connection, transaction, ct);
            },
            CancellationToken.None);

        Assert.Equal(2, attempts);
        Assert.Equal("ok " + requestId, Encoding.UTF8.GetString(result));
        await using var check = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("select count(*) from lost_ack_effects where request_id = @requestId", new { requestId }));
    }
}
