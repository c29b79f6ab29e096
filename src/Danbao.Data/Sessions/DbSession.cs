using Danbao.Data.Accounting;
using Danbao.Data.Audit;
using Danbao.Data.Fund;
using Danbao.Data.Idempotency;
using Danbao.Data.Loans;
using Danbao.Data.Identity;
using Danbao.Data.Policy;
using Danbao.Data.Sandbox;
using Danbao.Data.Subsidy;
using System.Runtime.ExceptionServices;
using Npgsql;

namespace Danbao.Data.Sessions;

/// <summary>
/// One request's unit of work: the connection, its transaction (none for a read), the stores as
/// members, and the statements waiting to be sent. A write's effects are queued
/// (<see cref="Queue"/>) and reach PostgreSQL as one <see cref="NpgsqlBatch"/>, together with the
/// next read or at <see cref="FlushAsync"/>; a load is one batch of queries
/// (<see cref="ReadAsync{T1,T2}"/>). Queued statements always run before a later read, so the
/// session reads its own writes.
/// </summary>
public sealed class DbSession : IAsyncDisposable
{
    private readonly List<BatchItem> _pending = [];
    private readonly bool _ownsConnection;
    private int _itemStart;
    private bool _itemSent;

    internal DbSession(NpgsqlConnection connection, NpgsqlTransaction? transaction, bool ownsConnection, CancellationToken ct)
    {
        Connection = connection;
        Transaction = transaction;
        CancellationToken = ct;
        _ownsConnection = ownsConnection;
        Loans = new LoanStore(this);
        LoanEvents = new LoanEventReportStore(this);
        Requests = new IdempotencyStore(this);
        Audit = new AuditLog(this);
        Ledger = new Ledger(this);
        Claims = new ClaimStore(this);
        Funds = new FundStore(this);
        FundPositions = new FundPositionStore(this);
        Statements = new StatementStore(this);
        Subsidy = new SubsidyStore(this);
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>The write's transaction; null in a read session (each statement sees committed data).</summary>
    public NpgsqlTransaction? Transaction { get; }

    public CancellationToken CancellationToken { get; }

    public LoanStore Loans { get; }
    public LoanEventReportStore LoanEvents { get; }
    public IdempotencyStore Requests { get; }
    public AuditLog Audit { get; }
    public Ledger Ledger { get; }
    public AwardStore Awards => field ??= new(this);
    public ProgrammeReportStore ProgrammeReports => field ??= new(this);
    public PolicyStore Policy => field ??= new(this);
    public IdentityStore Identity => field ??= new(this);
    public BusinessDateStore BusinessDates => field ??= new(this);
    public ClaimStore Claims { get; }
    public FundStore Funds { get; }
    public FundPositionStore FundPositions { get; }
    public StatementStore Statements { get; }
    public SubsidyStore Subsidy { get; }

    /// <summary>Statements waiting for the next round trip.</summary>
    public int Pending => _pending.Count;

    /// <summary>Queues a statement for the next round trip; <paramref name="after"/> gets its row count.</summary>
    public void Queue(NpgsqlBatchCommand command, Func<int, Task>? after = null) => _pending.Add(new BatchItem(command, null, after));

    /// <summary>Queues a statement that returns rows; <paramref name="read"/> consumes them when the batch runs.</summary>
    public void Queue(NpgsqlBatchCommand command, Func<NpgsqlDataReader, CancellationToken, Task> read, Func<int, Task>? after = null) =>
        _pending.Add(new BatchItem(command, read, after));

    /// <summary>Queues a query for the next round trip (in order with the other queued statements); read its Value after it.</summary>
    public Query<T> Enqueue<T>(Query<T> query)
    {
        _pending.Add(query.Item);
        return query;
    }

    /// <summary>Sends every queued statement in one round trip.</summary>
    public Task FlushAsync() => _pending.Count == 0 ? Task.CompletedTask : RunAsync([]);

    /// <summary>The queued statements and this query, in one round trip.</summary>
    public async Task<T> ReadAsync<T>(Query<T> query)
    {
        await RunAsync([query.Item]);
        return query.Value;
    }

    public async Task<(T1, T2)> ReadAsync<T1, T2>(Query<T1> first, Query<T2> second)
    {
        await RunAsync([first.Item, second.Item]);
        return (first.Value, second.Value);
    }

    public async Task<(T1, T2, T3)> ReadAsync<T1, T2, T3>(Query<T1> first, Query<T2> second, Query<T3> third)
    {
        await RunAsync([first.Item, second.Item, third.Item]);
        return (first.Value, second.Value, third.Value);
    }

    public async Task<(T1, T2, T3, T4)> ReadAsync<T1, T2, T3, T4>(Query<T1> first, Query<T2> second, Query<T3> third, Query<T4> fourth)
    {
        await RunAsync([first.Item, second.Item, third.Item, fourth.Item]);
        return (first.Value, second.Value, third.Value, fourth.Value);
    }

    /// <summary>Commits the write: the queued statements go first, in the same round trip as nothing else.</summary>
    public async Task CommitAsync()
    {
        await FlushAsync();
        await (Transaction ?? throw new InvalidOperationException("A read session has no transaction to commit.")).CommitAsync(CancellationToken);
    }

    private async Task RunAsync(BatchItem[] queries)
    {
        var items = _pending.Count == 0 ? queries : [.. _pending, .. queries];
        // In a group (GroupCommit), statements before _itemStart were queued by earlier requests.
        var earlier = _itemStart;
        _itemSent |= _pending.Count > _itemStart;
        _pending.Clear();
        _itemStart = 0;
        ExceptionDispatchInfo? failure = null;
        var failedAt = -1;
        try
        {
            await using var batch = new NpgsqlBatch(Connection, Transaction);
            foreach (var item in items)
            {
                batch.BatchCommands.Add(item.Command);
            }
            await using var reader = await batch.ExecuteReaderAsync(CancellationToken);
            // The reader stands on the first statement that returns rows; NextResult skips the others. A reading
            // that throws (a replayed request id) does not stop the others: every statement's result is read.
            var first = true;
            for (var i = 0; i < items.Length; i++)
            {
                if (items[i].Read is not { } read)
                {
                    continue;
                }
                if (!first && !await reader.NextResultAsync(CancellationToken))
                {
                    throw new InvalidOperationException($"The batch ended before the result of: {items[i].Command.CommandText}");
                }
                first = false;
                try
                {
                    await read(reader, CancellationToken);
                }
                catch (Exception ex) when (ex is not NpgsqlException)
                {
                    if (failure is null)
                    {
                        (failure, failedAt) = (ExceptionDispatchInfo.Capture(ex), i);
                    }
                }
            }
            while (await reader.NextResultAsync(CancellationToken))
            {
            }
        }
        catch
        {
            Faulted = true; // the transaction is aborted, or its statements' results are unknown
            throw;
        }
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].After is { } after)
            {
                try
                {
                    await after(items[i].Command.RecordsAffected);
                }
                catch (Exception ex)
                {
                    if (failure is null)
                    {
                        (failure, failedAt) = (ExceptionDispatchInfo.Capture(ex), i);
                    }
                }
            }
        }
        if (failure is not null)
        {
            // An earlier request's statement refused: that request's outcome is wrong, so the group cannot commit.
            Faulted |= failedAt < earlier;
            failure.Throw();
        }
    }

    /// <summary>
    /// True once a statement failed in PostgreSQL or an earlier request's statement of a group refused:
    /// the transaction must not commit.
    /// </summary>
    public bool Faulted { get; private set; }

    /// <summary>Starts the next request of a group (<see cref="GroupCommit"/>): what it queues from now on is its own.</summary>
    internal void BeginGroupItem()
    {
        _itemStart = _pending.Count;
        _itemSent = false;
    }

    /// <summary>
    /// Takes back what the current request of a group queued, after it was refused: possible only while none of
    /// it has been sent and nothing faulted. False means the group's transaction cannot commit.
    /// </summary>
    internal bool TryDropGroupItem()
    {
        if (Faulted || _itemSent)
        {
            return false;
        }
        _pending.RemoveRange(_itemStart, _pending.Count - _itemStart);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await Connection.DisposeAsync();
        }
    }
}
