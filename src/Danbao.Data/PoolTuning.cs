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
        // NpgsqlConnectionStringBuilder.ContainsKey answers whether a keyword is known, not whether it
        // was given, so what was given is read with the plain builder (keys compared without spaces).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare"))
        {
            tuned.MaxAutoPrepare = AutoPrepareStatementsMax;
        }
        if (!given.Contains("autoprepareminusages"))
        {
            tuned.AutoPrepareMinUsages = AutoPrepareUsagesMin;
        }
        if (!given.Contains("noresetonclose"))
        {
            tuned.NoResetOnClose = true;
        }
        return tuned.ConnectionString;
    }
}
