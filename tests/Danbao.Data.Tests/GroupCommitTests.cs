using Dapper;
using Danbao.Data.Audit;
using Danbao.Data.Sessions;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>
/// Group commit: requests queued while a lane's transaction runs share the next one; a refusal before anything of
/// it was sent leaves the group alone; anything else aborts the group, and each request runs again on its own.
/// A first request holds the lane (its work waits on a gate) so that the others are known to be queued together.
/// </summary>
public sealed class GroupCommitTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static AuditEvent Event(string subjectId) => SampleAuditEvents.For(subjectId, "group-test", "group.test");

    private static Query<long> TransactionId() =>
        new(new NpgsqlBatchCommand("select txid_current()"), async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return reader.GetInt64(0);
        });

    /// <summary>Appends an event and reads the transaction's id (the append goes with that read).</summary>
    private static async Task<long> AppendAsync(DbSession session, string subject)
    {
        session.Audit.Append(Event(subject));
        return await session.ReadAsync(TransactionId());
    }

    private async Task<long> CountAsync(string subject)
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from audit_events where subject_id = @subject", new { subject });
    }

    /// <summary>
    /// Starts a request that holds the (single) lane until <c>gate</c> is set; returns once its group has started, so
    /// that what is sent next waits behind it.
    /// </summary>
    private static async Task<(TaskCompletionSource Gate, Task Holder)> HoldLaneAsync(GroupCommit groups)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = groups.RunAsync("holder", async _ => { await gate.Task; return 0; }, CancellationToken.None);
        while (groups.Waiting > 0)
        {
            await Task.Delay(5); // the holder is taken from the queue when its group starts
        }
        return (gate, holder);
    }

    /// <summary>Starts a request that holds the lane until the others are queued behind it, then runs them.</summary>
    private static async Task<Task<T>[]> QueuedTogetherAsync<T>(GroupCommit groups, params Func<DbSession, Task<T>>[] works)
    {
        var (gate, holder) = await HoldLaneAsync(groups);
        var runs = works.Select((work, i) => groups.RunAsync("key-" + i, work, CancellationToken.None)).ToArray();
        while (groups.Waiting < works.Length)
        {
            await Task.Delay(5);
        }
        gate.SetResult();
        await holder;
        return runs;
    }

    private static string Subject() => "G-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Requests_queued_while_a_group_runs_commit_together_in_the_next_transaction()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var subjects = Enumerable.Range(0, 5).Select(_ => Subject()).ToArray();

        var runs = await QueuedTogetherAsync(groups, subjects.Select(s => (Func<DbSession, Task<long>>)(session => AppendAsync(session, s))).ToArray());
        var transactions = await Task.WhenAll(runs);

        Assert.Single(transactions.Distinct());
        foreach (var subject in subjects)
        {
            Assert.Equal(1, await CountAsync(subject));
        }
    }

    [Fact]
    public async Task A_request_refused_before_anything_of_it_was_sent_is_taken_out_alone_and_the_others_commit_together()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var (a, refused, c) = (Subject(), Subject(), Subject());

        var runs = await QueuedTogetherAsync(groups,
            session => AppendAsync(session, a),
            session =>
            {
                session.Audit.Append(Event(refused)); // queued, never sent
                throw new InvalidOperationException("refused by the domain");
            },
            session => AppendAsync(session, c));

        await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1]);
        Assert.Equal(await runs[0], await runs[2]);
        Assert.Equal(1, await CountAsync(a));
        Assert.Equal(0, await CountAsync(refused));
        Assert.Equal(1, await CountAsync(c));
    }

    [Fact]
    public async Task A_failed_statement_aborts_the_group_and_each_request_runs_again_on_its_own_once()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var (a, failing, c) = (Subject(), Subject(), Subject());
        var attempts = new int[3];

        var runs = await QueuedTogetherAsync(groups,
            session => { Interlocked.Increment(ref attempts[0]); return AppendAsync(session, a); },
            async session =>
            {
                Interlocked.Increment(ref attempts[1]);
                session.Audit.Append(Event(failing));
                return await session.ReadAsync(new Query<long>(new NpgsqlBatchCommand("select 1 / 0"), (r, ct) => Task.FromResult(0L)));
            },
            session => { Interlocked.Increment(ref attempts[2]); return AppendAsync(session, c); });

        var failure = await Assert.ThrowsAsync<PostgresException>(() => runs[1]);
        Assert.Equal(PostgresErrorCodes.DivisionByZero, failure.SqlState);
        Assert.NotEqual(await runs[0], await runs[2]); // each in a transaction of its own
        Assert.Equal([2, 2, 1], attempts); // the group stops at the failure: the last request had not run in it
        Assert.Equal(1, await CountAsync(a));
        Assert.Equal(0, await CountAsync(failing));
        Assert.Equal(1, await CountAsync(c));
    }

    [Fact]
    public async Task A_refusal_after_the_requests_own_writes_were_sent_aborts_the_group_and_nothing_of_it_commits()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var (a, refused, c) = (Subject(), Subject(), Subject());

        var runs = await QueuedTogetherAsync(groups,
            session => AppendAsync(session, a),
            async session =>
            {
                await AppendAsync(session, refused); // sent
                throw new InvalidOperationException("refused after writing");
            },
            session => AppendAsync(session, c));

        await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1]);
        Assert.NotEqual(await runs[0], await runs[2]);
        Assert.Equal(1, await CountAsync(a));
        Assert.Equal(0, await CountAsync(refused));
        Assert.Equal(1, await CountAsync(c));
    }

    [Fact]
    public async Task A_later_request_of_a_group_reads_what_an_earlier_one_wrote()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var subject = Subject();
        var count = new NpgsqlBatchCommand("select count(*) from audit_events where subject_id = $1") { Parameters = { new() { Value = subject } } };

        var runs = await QueuedTogetherAsync(groups,
            session => AppendAsync(session, subject),
            session => session.ReadAsync(new Query<long>(count, async (r, ct) => { await r.ReadAsync(ct); return r.GetInt64(0); })));

        await runs[0];
        Assert.Equal(1, await runs[1]);
    }

    [Fact]
    public async Task A_request_whose_caller_gave_up_while_it_waited_never_runs()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 1);
        var (gate, holder) = await HoldLaneAsync(groups);
        using var giveUp = new CancellationTokenSource();
        var ran = false;
        var abandoned = groups.RunAsync("key", session => { ran = true; return AppendAsync(session, Subject()); }, giveUp.Token);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        gate.SetResult();
        await holder;
        await groups.RunAsync("key", _ => Task.FromResult(0L), CancellationToken.None); // the lane has moved past it

        Assert.False(ran);
    }

    [Fact]
    public async Task With_no_lanes_each_request_runs_on_its_own()
    {
        await using var groups = new GroupCommit(postgres.Database, lanes: 0);
        var (a, b) = (Subject(), Subject());

        var transactions = await Task.WhenAll(groups.RunAsync("k", s => AppendAsync(s, a), CancellationToken.None),
            groups.RunAsync("k", s => AppendAsync(s, b), CancellationToken.None));

        Assert.NotEqual(transactions[0], transactions[1]);
        Assert.Equal(1, await CountAsync(a));
        Assert.Equal(1, await CountAsync(b));
    }
}
