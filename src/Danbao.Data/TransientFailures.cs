using Npgsql;

namespace Danbao.Data;

/// <summary>
/// Which failures are worth retrying a whole transaction for: the connection went away
/// (I/O errors, timeouts, SQLSTATE class 08, the server shutting down: 57P01–57P03), or
/// the database chose us as the loser of a conflict (40001 serialization failure,
/// 40P01 deadlock). Everything else — constraint violations, bugs, our own refusals — is
/// final: retrying it would only repeat it.
/// </summary>
public static class TransientFailures
{
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";

    public static bool IsTransient(Exception exception)
    {
        return exception switch
        {
            PostgresException postgres => IsTransientSqlState(postgres.SqlState),
            NpgsqlException npgsql => npgsql.IsTransient,
            _ => false,
        };
    }

    public static bool IsTransientSqlState(string sqlState)
    {
        return sqlState == SerializationFailure
            || sqlState == DeadlockDetected
            || sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState is "57P01" or "57P02" or "57P03";
    }
}
