using Dapper;
using Danbao.Data.Audit;
using Danbao.Data.Idempotency;
using Danbao.Data.Sessions;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

public sealed class DbSessionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static AuditEvent Event(string subjectId) => SampleAuditEvents.For(subjectId);

    private static Query<long> CountEvents(string subjectId)
    {
        var command = new NpgsqlBatchCommand("select count(*) from audit_events where subject_id = @id");
        command.Parameters.AddWithValue("id", subjectId);
        return new Query<long>(command, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return reader.GetInt64(0);
        });
    }

    [Fact]
    public async Task Queued_writes_reach_the_database_before_the_next_read_of_the_same_session()
    {
        var subject = "S-" + Guid.NewGuid().ToString("N")[..8];

        var (queuedBeforeRead, seen) = await postgres.Database.InSessionAsync(async session =>
        {
            session.Audit.Append(Event(subject));
            session.Audit.Append(Event(subject));
            var queued = session.Pending;
            return (queued, await session.ReadAsync(CountEvents(subject)));
        }, CancellationToken.None);

        Assert.Equal(2, queuedBeforeRead);
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task A_write_that_fails_its_row_count_check_throws_the_callers_exception_and_commits_nothing()
    {
        var subject = "S-" + Guid.NewGuid().ToString("N")[..8];

        await Assert.ThrowsAsync<TimeoutException>(() => postgres.Database.InSessionAsync<int>(async session =>
        {
            session.Audit.Append(Event(subject));
            var update = new NpgsqlBatchCommand("update idempotency_keys set completed_at = now() where request_id = 'no such request'");
            session.Queue(update, rows => rows == 1 ? Task.CompletedTask : throw new TimeoutException("stand-in for the caller's conflict"));
            await session.FlushAsync();
            return 0;
        }, CancellationToken.None));

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from audit_events where subject_id = @subject", new { subject }));
    }

    [Fact]
    public async Task A_claimed_request_id_replays_its_stored_reply_when_the_batch_runs_and_a_different_request_is_a_mismatch()
    {
        var requestId = "R-" + Guid.NewGuid().ToString("N")[..8];
        var hash = IdempotencyStore.Hash("first"u8);
        await postgres.Database.InSessionAsync(async session =>
        {
            session.Requests.Claim("icbc-gz", requestId, "Repay", hash);
            session.Requests.Complete("icbc-gz", requestId, [1, 2, 3]);
            await session.FlushAsync();
            return 0;
        }, CancellationToken.None);

        var replay = await Assert.ThrowsAsync<RequestAlreadyClaimedException>(() => postgres.Database.InSessionAsync(async session =>
        {
            session.Requests.Claim("icbc-gz", requestId, "Repay", hash);
            return await session.ReadAsync(CountEvents("nothing"));
        }, CancellationToken.None));
        var mismatch = await Assert.ThrowsAsync<RequestAlreadyClaimedException>(() => postgres.Database.InSessionAsync(async session =>
        {
            session.Requests.Claim("icbc-gz", requestId, "Repay", IdempotencyStore.Hash("second"u8));
            return await session.ReadAsync(CountEvents("nothing"));
        }, CancellationToken.None));

        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.IsType<IdempotencyClaim.Replay>(replay.Claim).Response);
        Assert.True(Assert.IsType<IdempotencyClaim.Mismatch>(mismatch.Claim).SameMethod);
    }
}
