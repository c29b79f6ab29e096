using Danbao.Data;
using Danbao.Grpc;
using Npgsql;

namespace Danbao.Server.Hosting;

/// <summary>
/// A database that is down, restarting, or kept losing a conflict after the transaction retries is
/// a transient condition, not a server bug: callers hear UNAVAILABLE (which the SDK retries with
/// the same request_id, so a write still happens at most once), never INTERNAL.
/// Registered outside authentication, which reads credentials from the database too.
/// </summary>
public sealed class DatabaseFailureStatus : IServerInterceptor
{
    public async Task InvokeAsync(ServerCallContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception ex) when (ex is not RpcException && IsTransientDatabaseFailure(ex))
        {
            var conflict = ex is PostgresException { SqlState: TransientFailures.SerializationFailure or TransientFailures.DeadlockDetected };
            throw RpcErrors.Build(StatusCode.Unavailable,
                conflict
                    ? "the transaction kept conflicting with others; retry with the same request_id"
                    : "the database is unavailable; retry with the same request_id",
                new Google.Rpc.ErrorInfo { Reason = conflict ? "TRANSACTION_CONFLICT" : "DATABASE_UNAVAILABLE", Domain = RpcErrors.Domain },
                new Google.Rpc.RetryInfo { RetryDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        }
    }

    private static bool IsTransientDatabaseFailure(Exception ex) =>
        TransientFailures.IsTransient(ex) || ex is NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException };
}
