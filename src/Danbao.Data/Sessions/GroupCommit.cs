using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Danbao.Data.Sessions;

/// <summary>
/// Group commit (合并提交) for a hot write: the requests that arrive while a lane's transaction runs wait, and the
/// next transaction runs them all, one after another, on one connection, with one COMMIT. Each request's
/// effects go to PostgreSQL with the next request's load, so a request costs one round trip instead of three,
/// and the transaction's fixed costs (BEGIN, COMMIT, its WAL flush, a pooled connection) are shared.
/// </summary>
/// <remarks>
/// <para>Requests are spread over lanes by a key (the loan's id): a key always takes the same lane, so two lanes
/// never wait on each other's row locks, and a group sees a key's earlier request in it (the session reads its
/// own writes).</para>
/// <para>A request refused before any of its statements was sent is taken out of its group alone. Anything
/// else (a failed statement, a refused write of an earlier request, a failed COMMIT) aborts the group, and
/// every request in it runs again on its own, in a transaction of its own (<see cref="Database.InSessionAsync{T}"/>,
/// with its retries). No request learns its outcome before its group commits: a refusal may rest on an earlier
/// request of the same group.</para>
/// <para>Only writes whose work is a pure function of the database may be grouped (as for a retry), and only
/// writes that lock nothing but the key's rows: a group holds its locks until its COMMIT.</para>
/// </remarks>
public sealed class GroupCommit : IAsyncDisposable
{
    public const string MeterName = "Danbao.Data.GroupCommit";
    public const int LanesDefault = 4;
    public const int GroupMaxDefault = 32;

    /// <summary>Requests waiting in one lane before new ones run on their own (memory stays bounded).</summary>
    public const int QueuedPerLaneMax = 1024;

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> GroupSizes = Meter.CreateHistogram<int>("danbao.write_group.size", "{request}",
        "Requests committed together in one transaction");
    private static readonly Counter<long> Aborts = Meter.CreateCounter<long>("danbao.write_group.aborted", "{group}",
        "Groups whose requests ran again one by one");

    private readonly Database _database;
    private readonly int _groupMax;
    private readonly Channel<Item>[] _lanes;
    private readonly Task[] _loops;

    /// <param name="lanes">Transactions that run at once (connections held); 0 turns grouping off.</param>
    /// <param name="groupMax">Requests in one transaction at most.</param>
    public GroupCommit(Database database, int lanes = LanesDefault, int groupMax = GroupMaxDefault)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentOutOfRangeException.ThrowIfNegative(lanes);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupMax, 1);
        _database = database;
        _groupMax = groupMax;
        _lanes = new Channel<Item>[lanes];
        _loops = new Task[lanes];
        // The loops outlive the request that first asked for this singleton: they must not carry its context
        // (its trace activity would parent every group's statements).
        using var _ = ExecutionContext.SuppressFlow();
        for (var i = 0; i < lanes; i++)
        {
            var lane = _lanes[i] = Channel.CreateBounded<Item>(new BoundedChannelOptions(QueuedPerLaneMax) { SingleReader = true });
            _loops[i] = Task.Run(() => LoopAsync(lane.Reader));
        }
    }

    /// <summary>Requests waiting for their lane's next transaction.</summary>
    public int Waiting => _lanes.Sum(l => l.Reader.Count);

    /// <summary>
    /// Runs <paramref name="work"/> in the next transaction of <paramref name="key"/>'s lane, or on its own when
    /// grouping is off, its lane is full, or its group aborted.
    /// </summary>
    public async Task<T> RunAsync<T>(string key, Func<DbSession, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(work);
        if (_lanes.Length > 0)
        {
            var item = new Item<T>(work);
            var lane = _lanes[(uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_lanes.Length];
            if (lane.Writer.TryWrite(item))
            {
                try
                {
                    return await item.Outcome.WaitAsync(ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    item.Abandoned = true; // skipped if it has not started; if it has, it commits with its group
                    throw;
                }
                catch (GroupAbortedException)
                {
                }
            }
        }
        return await _database.InSessionAsync(work, ct);
    }

    private async Task LoopAsync(ChannelReader<Item> reader)
    {
        var group = new List<Item>(_groupMax);
        while (await reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < _groupMax && reader.TryRead(out var item))
            {
                if (!item.Abandoned)
                {
                    group.Add(item);
                }
            }
            if (group.Count > 0)
            {
                await RunGroupAsync(group);
            }
        }
    }

    private async Task RunGroupAsync(List<Item> group)
    {
        var committed = false;
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var session = new DbSession(connection, transaction, ownsConnection: false, CancellationToken.None);
            var sound = true;
            foreach (var item in group)
            {
                session.BeginGroupItem();
                if (!await item.RunAsync(session) && !session.TryDropGroupItem())
                {
                    sound = false;
                    break;
                }
            }
            if (sound && !session.Faulted)
            {
                // A call's writes go with the next call's load, traced under that call; the last call's go here.
                Activity.Current = group[^1].Caller;
                await session.FlushAsync();
                await transaction.CommitAsync();
                committed = true;
            }
        }
        catch (Exception)
        {
            // A statement, the connection or COMMIT failed: every request runs again on its own, where its own
            // failure (if it is one) reaches its caller, and a COMMIT whose outcome was lost replays by request id.
        }
        if (committed)
        {
            GroupSizes.Record(group.Count);
        }
        else
        {
            Aborts.Add(1);
        }
        foreach (var item in group)
        {
            if (committed)
            {
                item.Deliver();
            }
            else
            {
                item.Abort();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }
        await Task.WhenAll(_loops);
    }

    private sealed class GroupAbortedException : Exception;

    private abstract class Item
    {
        public volatile bool Abandoned;

        /// <summary>The caller's trace span: the statements its work sends on the lane are traced under its call.</summary>
        public Activity? Caller { get; } = Activity.Current;

        /// <summary>Runs the request's work in the group's session; false if it threw (its outcome is kept).</summary>
        public abstract Task<bool> RunAsync(DbSession session);

        /// <summary>The group committed: the request gets its reply or its refusal.</summary>
        public abstract void Deliver();

        /// <summary>The group rolled back: the request runs again on its own.</summary>
        public abstract void Abort();
    }

    private sealed class Item<T>(Func<DbSession, Task<T>> work) : Item
    {
        private readonly TaskCompletionSource<T> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _reply;
        private ExceptionDispatchInfo? _refusal;

        public Task<T> Outcome => _outcome.Task;

        public override async Task<bool> RunAsync(DbSession session)
        {
            Activity.Current = Caller; // an async method's change to it does not flow back to the lane
            try
            {
                _reply = await work(session);
                _refusal = null;
                return true;
            }
            catch (Exception ex)
            {
                _refusal = ExceptionDispatchInfo.Capture(ex);
                return false;
            }
        }

        public override void Deliver()
        {
            if (_refusal is not null)
            {
                _outcome.TrySetException(_refusal.SourceException);
            }
            else
            {
                _outcome.TrySetResult(_reply!);
            }
        }

        public override void Abort() => _outcome.TrySetException(new GroupAbortedException());
    }
}
