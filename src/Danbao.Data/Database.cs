using System.Data;
using Danbao.Data.Sessions;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Danbao.Data;

/// <summary>
/// The service's PostgreSQL database: a connection pool and whole-transaction retries.
/// </summary>
/// <remarks>
/// A retry re-runs the whole unit of work from BEGIN on a fresh connection, so the work must
/// be a pure function of its inputs and the database (no side effects outside it). When a
/// connection drops during COMMIT the outcome is unknown; the retry is then safe only because
/// every effectful request claims its request id in <see cref="Idempotency.IdempotencyStore"/>
/// inside the same transaction, so a second attempt replays instead of posting twice.
/// </remarks>
public sealed class Database : IAsyncDisposable
{
    /// <summary>The side pool's size as a part of the main pool's (<see cref="OpenSideReadSessionAsync"/>), at least one.</summary>
    public const int SideReadPoolDivisor = 5;

    private readonly ResiliencePipeline _retry;
    private readonly Lazy<NpgsqlDataSource> _sideReads;

    public Database(DatabaseOptions options)
        : this(NpgsqlDataSource.Create(PoolTuning.WithServiceDefaults(options.ConnectionString)), options)
    {
    }

    public Database(NpgsqlDataSource dataSource, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TransactionAttemptsMax < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TransactionAttemptsMax must be at least 1.");
        }
        DataSource = dataSource;
        _retry = BuildRetryPipeline(options);
        _sideReads = new Lazy<NpgsqlDataSource>(() => SideReads(options.ConnectionString));
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Raised before each retry: attempt number (1-based, the one that failed) and the failure.</summary>
    public event Action<int, Exception>? Retrying;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it, retrying the whole
    /// transaction on transient failures only (<see cref="TransientFailures"/>), with bounded
    /// attempts and jittered exponential backoff.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work,
        CancellationToken ct,
        IsolationLevel isolationLevel = IsolationLevel.ReadCommitted)
    {
        ArgumentNullException.ThrowIfNull(work);
        return await _retry.ExecuteAsync(
            async token =>
            {
                await using var connection = await DataSource.OpenConnectionAsync(token);
                await using var transaction = await connection.BeginTransactionAsync(isolationLevel, token);
                var result = await work(connection, transaction, token);
                await transaction.CommitAsync(token);
                return result;
            },
            ct);
    }

    /// <summary>
    /// Runs a write in a <see cref="DbSession"/> on one transaction and commits it (its queued
    /// statements first), retrying the whole unit of work on transient failures like
    /// <see cref="InTransactionAsync{T}"/>: each attempt gets a fresh session.
    /// </summary>
    public Task<T> InSessionAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct,
        IsolationLevel isolationLevel = IsolationLevel.ReadCommitted)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InTransactionAsync(async (connection, transaction, token) =>
        {
            var session = new DbSession(connection, transaction, ownsConnection: false, token);
            var result = await work(session);
            await session.FlushAsync();
            return result;
        }, ct, isolationLevel);
    }

    /// <summary>
    /// A write session on its own connection and transaction, without retries, for work that cannot be replayed
    /// (a client stream is consumed as it runs): commit with <see cref="DbSession.CommitAsync"/>; disposing it
    /// uncommitted rolls back.
    /// </summary>
    public async Task<DbSession> OpenWriteSessionAsync(CancellationToken ct)
    {
        var connection = await DataSource.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            return new DbSession(connection, transaction, ownsConnection: true, ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A read session: its own pooled connection, no transaction; dispose it when the request ends.</summary>
    public async Task<DbSession> OpenReadSessionAsync(CancellationToken ct)
    {
        var connection = await DataSource.OpenConnectionAsync(ct);
        return new DbSession(connection, null, ownsConnection: true, ct);
    }

    /// <summary>
    /// A read session on the side pool, beside a write the call holds open: a client stream reads its next batch's
    /// loans there while its own connection writes the batch before (one connection runs one statement at a time).
    /// A pool of its own, so a call holding a connection of the main pool never waits on that pool for a second one
    /// (with every connection held by such calls, none would come back). No transaction; JIT off for its connections
    /// (a batch's look-ups are costed above jit_above_cost, and compiling them took longer than running them).
    /// </summary>
    public async Task<DbSession> OpenSideReadSessionAsync(CancellationToken ct)
    {
        var connection = await _sideReads.Value.OpenConnectionAsync(ct);
        return new DbSession(connection, null, ownsConnection: true, ct);
    }

    /// <summary>
    /// The side pool: the main pool's settings, a fifth of its size (manifests that budget instances × pool size
    /// against max_connections keep room: 12 × (20 + 4) = 288 of 300), JIT off, named for its metrics.
    /// </summary>
    private static NpgsqlDataSource SideReads(string connectionString)
    {
        var side = new NpgsqlConnectionStringBuilder(PoolTuning.WithServiceDefaults(connectionString)) { MinPoolSize = 0 };
        side.MaxPoolSize = Math.Max(1, side.MaxPoolSize / SideReadPoolDivisor);
        side.ApplicationName = $"{(string.IsNullOrEmpty(side.ApplicationName) ? "danbao" : side.ApplicationName)} side reads";
        side.Options = $"{side.Options} -c jit=off".Trim();
        var name = $"{(string.IsNullOrEmpty(side.Database) ? "danbao" : side.Database)}-side-reads";
        return new NpgsqlDataSourceBuilder(side.ConnectionString) { Name = name }.Build();
    }

    /// <summary>True when a connection opens and answers <c>SELECT 1</c>; for health checks.</summary>
    public async Task<bool> CanConnectAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("select 1", connection);
            return await command.ExecuteScalarAsync(ct) is 1;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sideReads.IsValueCreated)
        {
            await _sideReads.Value.DisposeAsync();
        }
        await DataSource.DisposeAsync();
    }

    private ResiliencePipeline BuildRetryPipeline(DatabaseOptions options)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.TransactionAttemptsMax > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientFailures.IsTransient),
                MaxRetryAttempts = options.TransactionAttemptsMax - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelayBase,
                MaxDelay = options.RetryDelayMax,
                OnRetry = arguments =>
                {
                    if (arguments.Outcome.Exception is { } exception)
                    {
                        Retrying?.Invoke(arguments.AttemptNumber + 1, exception);
                    }
                    return ValueTask.CompletedTask;
                },
            });
        }
        return builder.Build();
    }
}
