using Danbao.Data;
using Danbao.Server.Errors;
using Grpc.Core;
using Npgsql;

namespace Danbao.Server.Interceptors;

/// <summary>
/// A database that is down, restarting, or kept losing a conflict after the transaction retries is
/// a transient condition, not a server bug: callers hear UNAVAILABLE with a retry delay (which the
/// SDK retries with the same request_id, so a write still happens at most once), never INTERNAL.
/// Registered outside authentication, which reads credentials from the database too.
/// </summary>
public sealed class DatabaseFailureStatus : CallInterceptor
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task AroundAsync(ServerCallContext context, Func<Task> call)
    {
        try
        {
            await call();
        }
        // A connection broken by the caller's own cancellation is the caller leaving, not the database
        // failing: it goes on to the call log as CANCELLED (CallLogging.StatusOf), not as UNAVAILABLE.
        catch (Exception ex) when (ex is not RpcException && !context.CancellationToken.IsCancellationRequested && IsTransientDatabaseFailure(ex))
        {
            var conflict = ex is PostgresException { SqlState: TransientFailures.SerializationFailure or TransientFailures.DeadlockDetected };
            throw conflict
                ? RpcErrors.Unavailable("TRANSACTION_CONFLICT", "the transaction kept conflicting with others; retry with the same request_id", RetryDelay)
                : RpcErrors.Unavailable("DATABASE_UNAVAILABLE", "the database is unavailable; retry with the same request_id", RetryDelay);
        }
    }

    private static bool IsTransientDatabaseFailure(Exception ex) =>
        TransientFailures.IsTransient(ex) || ex is NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException };
}
