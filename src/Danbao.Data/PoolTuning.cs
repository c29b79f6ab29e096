using Npgsql;

namespace Danbao.Data;

/// <summary>
/// The service's pool defaults (issue 11): statements used more than once on a connection are
/// prepared (<c>Max Auto Prepare</c>), and a connection returned to the pool is not reset with
/// <c>DISCARD ALL</c> (<c>No Reset On Close</c>), which would also drop those prepared statements.
/// Safe here because the service sets no session state: every change is inside a transaction,
/// which Npgsql rolls back when a connection is returned with one open. A value the connection
/// string sets explicitly wins.
/// </summary>
public static class PoolTuning
{
    /// <summary>Prepared statements kept per physical connection (LRU beyond it).</summary>
    public const int AutoPrepareStatementsMax = 128;

    /// <summary>Uses of a statement text on one connection before it is prepared.</summary>
    public const int AutoPrepareUsagesMin = 2;

    public static string WithServiceDefaults(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            tuned.MaxAutoPrepare = AutoPrepareStatementsMax;
        }
        if (!given.ContainsKey("Auto Prepare Min Usages"))
        {
            tuned.AutoPrepareMinUsages = AutoPrepareUsagesMin;
        }
        if (!given.ContainsKey("No Reset On Close"))
        {
            tuned.NoResetOnClose = true;
        }
        return tuned.ConnectionString;
    }
}
