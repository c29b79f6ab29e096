using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Danbao.Data.Loans;

/// <summary>
/// Loan row versions read for many callers in one statement: the version checks of GetLoan's kept replies
/// (<c>LoanSnapshots</c>) that arrive while a read runs wait, and the next read answers them all. A check costs
/// PostgreSQL a share of one statement and the server a share of one round trip, where it cost each call its own.
/// </summary>
/// <remarks>
/// A caller is answered by a read that started after it asked, so it sees every write committed before it asked,
/// as a read of its own would. Lanes read at once, each on a pooled connection it holds only while it reads; each
/// takes what is waiting when it starts.
/// </remarks>
public sealed class LoanVersions : IAsyncDisposable
{
    public const string MeterName = "Danbao.Data.LoanVersions";
    public const int LanesDefault = 2;

    /// <summary>Loans in one read at most.</summary>
    public const int BatchMax = 256;

    /// <summary>Checks waiting before new ones read on their own (memory stays bounded).</summary>
    public const int QueuedMax = 4096;

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("danbao.version_read.size", "{loan}",
        "Loan versions answered by one read");

    private readonly Database _database;
    private readonly Channel<Check> _waiting;
    private readonly Task[] _lanes;
    private long _reads;

    /// <param name="lanes">Reads that run at once (connections held while they run); 0: each check reads on its own.</param>
    public LoanVersions(Database database, int lanes = LanesDefault)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentOutOfRangeException.ThrowIfNegative(lanes);
        _database = database;
        _waiting = Channel.CreateBounded<Check>(new BoundedChannelOptions(QueuedMax) { SingleReader = lanes == 1 });
        _lanes = new Task[lanes];
        // The lanes outlive the request that created this singleton: they must not carry its context (its trace).
        using var _ = ExecutionContext.SuppressFlow();
        for (var i = 0; i < lanes; i++)
        {
            _lanes[i] = Task.Run(LaneAsync);
        }
    }

    /// <summary>Checks waiting for a lane's next read.</summary>
    public int Waiting => _waiting.Reader.Count;

    /// <summary>Reads the lanes have run.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The loan's row version as of a read started after this call (null: no such loan).</summary>
    public async Task<int?> VersionAsync(string loanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loanId);
        var check = new Check(loanId);
        if (_lanes.Length == 0 || !_waiting.Writer.TryWrite(check))
        {
            await using var session = await _database.OpenReadSessionAsync(ct);
            return (await session.ReadAsync(session.Loans.VersionsOf([loanId]))).TryGetValue(loanId, out var alone) ? alone : null;
        }
        return await check.Answer.Task.WaitAsync(ct);
    }

    private async Task LaneAsync()
    {
        var batch = new List<Check>(BatchMax);
        while (await _waiting.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchMax && _waiting.Reader.TryRead(out var check))
            {
                batch.Add(check);
            }
            if (batch.Count == 0)
            {
                continue; // the other lane took them
            }
            Interlocked.Increment(ref _reads);
            // The read is traced under the call that asked first (the lane has no span of its own).
            Activity.Current = batch[0].Caller;
            try
            {
                await using var session = await _database.OpenReadSessionAsync(CancellationToken.None);
                var versions = await session.ReadAsync(session.Loans.VersionsOf(batch.Select(c => c.LoanId).Distinct(StringComparer.Ordinal).ToList()));
                foreach (var c in batch)
                {
                    c.Answer.TrySetResult(versions.TryGetValue(c.LoanId, out var v) ? v : null);
                }
                BatchSizes.Record(batch.Count);
            }
            catch (Exception ex)
            {
                // The database's failure is each caller's (its interceptor maps it to UNAVAILABLE).
                foreach (var c in batch)
                {
                    c.Answer.TrySetException(ex);
                }
            }
            batch.Clear();
            Activity.Current = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await Task.WhenAll(_lanes);
    }

    /// <summary>A caller's check; answered off the lane, so the lane starts its next read at once.</summary>
    private sealed class Check(string loanId)
    {
        public string LoanId { get; } = loanId;

        public Activity? Caller { get; } = Activity.Current;

        public TaskCompletionSource<int?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
