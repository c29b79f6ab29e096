namespace Danbao.Data;

/// <summary>Where the database is and where its migrations live.</summary>
public sealed record DatabaseOptions
{
    /// <summary>Environment variable holding the Npgsql connection string.</summary>
    public const string ConnectionStringVariable = "DANBAO_DB";

    public required string ConnectionString { get; init; }

    /// <summary>Attempts per transaction, including the first; bounded so a failing database surfaces.</summary>
    public int TransactionAttemptsMax { get; init; } = 6;

    /// <summary>Base delay of the jittered exponential backoff between attempts.</summary>
    public TimeSpan RetryDelayBase { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan RetryDelayMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Options from <c>DANBAO_DB</c>, or from <paramref name="fallbackConnectionString"/> (configuration) when unset.</summary>
    public static DatabaseOptions FromEnvironment(string? fallbackConnectionString = null)
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = fallbackConnectionString;
        }
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"No database configured: set {ConnectionStringVariable} to an Npgsql connection string.");
        }
        return new DatabaseOptions { ConnectionString = connectionString };
    }
}
