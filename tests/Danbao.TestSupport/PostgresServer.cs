using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Danbao.Data.Migrations;
using Npgsql;

namespace Danbao.TestSupport;

/// <summary>
/// One throwaway PostgreSQL cluster per test process, a migrated template database created
/// once, and a fresh database per caller cloned from it (<c>CREATE DATABASE … TEMPLATE …</c>).
/// </summary>
/// <remarks>
/// When <c>DANBAO_TEST_PG</c> holds an admin connection string, that server is used instead
/// (databases are then named per process and dropped at exit). Otherwise the cluster is started
/// with <c>scripts/pg.sh start DIR PORT --fast</c> in a temp directory on a free port and stopped
/// when the process exits. Each test assembly runs in its own process with its own cluster, port
/// and directory, so assemblies running in parallel never share state. Clusters orphaned by a
/// killed test process are stopped and removed by the next run.
/// </remarks>
public sealed class PostgresServer
{
    public const string AdminVariable = "DANBAO_TEST_PG";
    private const string DirectoryPrefix = "danbao-pg-";
    private const int StartAttemptsMax = 5;

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly SemaphoreSlim _createLock = new(1, 1);
    private readonly string _namePrefix;
    private readonly bool _ownsCluster;
    private readonly List<string> _createdDatabases = [];
    private int _databaseCount;

    private PostgresServer(string adminConnectionString, string namePrefix, bool ownsCluster, string templateName)
    {
        AdminConnectionString = adminConnectionString;
        _namePrefix = namePrefix;
        _ownsCluster = ownsCluster;
        TemplateName = templateName;
    }

    /// <summary>Connection string of the superuser on the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The migrated database every test database is cloned from.</summary>
    public string TemplateName { get; }

    /// <summary>The process-wide server, started (and the template migrated) on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A fresh database: migrated (cloned from the template) or empty.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(bool migrated = true)
    {
        var name = $"{_namePrefix}_{Interlocked.Increment(ref _databaseCount)}";
        var template = migrated ? TemplateName : "template0";
        await _createLock.WaitAsync();
        try
        {
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"create database \"{name}\" template \"{template}\"", admin);
            await command.ExecuteNonQueryAsync();
            lock (_createdDatabases)
            {
                _createdDatabases.Add(name);
            }
        }
        finally
        {
            _createLock.Release();
        }
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    /// <summary>
    /// Drops a test database (with FORCE). Only worth calling on a shared server
    /// (<c>DANBAO_TEST_PG</c>); a throwaway cluster is deleted whole at exit.
    /// </summary>
    public async Task DropDatabaseAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists \"{database.Name}\" with (force)", admin);
        await command.ExecuteNonQueryAsync();
        lock (_createdDatabases)
        {
            _createdDatabases.Remove(database.Name);
        }
    }

    /// <summary>True when databases live on a shared server and should be dropped after use.</summary>
    public bool IsShared => !_ownsCluster;

    private static async Task<PostgresServer> StartAsync()
    {
        var unique = $"{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
        var external = Environment.GetEnvironmentVariable(AdminVariable);
        PostgresServer server;
        if (!string.IsNullOrWhiteSpace(external))
        {
            server = new PostgresServer(external, $"danbao_t_{unique}", ownsCluster: false, templateName: $"danbao_tpl_{unique}");
            await DropOrphanedDatabasesAsync(external);
        }
        else
        {
            var connectionString = await StartClusterAsync();
            server = new PostgresServer(connectionString, "danbao_t", ownsCluster: true, templateName: "danbao_template");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DropCreatedDatabases();
        await server.CreateTemplateAsync();
        return server;
    }

    private async Task CreateTemplateAsync()
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"create database \"{TemplateName}\" template template0", admin);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = TemplateName, Pooling = false };
        await using (var dataSource = NpgsqlDataSource.Create(builder.ConnectionString))
        {
            await new MigrationRunner(dataSource).ApplyAsync(CancellationToken.None);
        }
    }

    private void DropCreatedDatabases()
    {
        if (_ownsCluster)
        {
            return; // The whole cluster goes away with its directory.
        }
        try
        {
            using var admin = new NpgsqlConnection(AdminConnectionString);
            admin.Open();
            lock (_createdDatabases)
            {
                foreach (var name in _createdDatabases.Append(TemplateName))
                {
                    using var command = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", admin);
                    command.ExecuteNonQuery();
                }
            }
        }
        catch (NpgsqlException)
        {
            // Best effort at exit: a shared server being down is not this process's problem.
        }
    }

    /// <summary>Databases left on a shared server by test processes (on this machine) that no longer run.</summary>
    private static async Task DropOrphanedDatabasesAsync(string adminConnectionString)
    {
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        var names = new List<string>();
        await using (var query = new NpgsqlCommand("select datname from pg_database where datname ~ '^danbao_(t|tpl)_[0-9]+_'", admin))
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }
        foreach (var name in names)
        {
            var pid = int.Parse(name.Split('_')[2], System.Globalization.CultureInfo.InvariantCulture);
            if (!ProcessIsAlive(pid))
            {
                await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task<string> StartClusterAsync()
    {
        var script = LocateScript();
        StopOrphanedClusters(script);
        Exception? lastFailure = null;
        for (var attempt = 1; attempt <= StartAttemptsMax; attempt++)
        {
            // Another process may grab the same free port between probe and start: retry on a new one.
            var port = FreePort();
            var directory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            var (exitCode, output) = await RunAsync(script, $"start \"{directory}\" {port} --fast");
            if (exitCode == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopCluster(script, directory);
                return new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Database = "postgres",
                    MaxPoolSize = 50,
                    Timeout = 30,
                }.ConnectionString;
            }
            lastFailure = new InvalidOperationException($"pg.sh start failed (exit {exitCode}) on port {port}: {output}");
            StopCluster(script, directory);
        }
        throw lastFailure!;
    }

    private static void StopCluster(string script, string directory)
    {
        RunAsync(script, $"destroy \"{directory}\"").GetAwaiter().GetResult();
    }

    /// <summary>Clusters left behind by test processes that were killed before their exit handlers ran.</summary>
    private static void StopOrphanedClusters(string script)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var name = Path.GetFileName(directory)[DirectoryPrefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], out var pid) && !ProcessIsAlive(pid))
            {
                StopCluster(script, directory);
            }
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "pg.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"scripts/pg.sh not found above {AppContext.BaseDirectory}; set {AdminVariable} to use an existing server.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string arguments)
    {
        var startInfo = new ProcessStartInfo("bash", $"\"{script}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("cannot start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}

/// <summary>A database of the test cluster, owned by one test or test class.</summary>
public sealed record TestDatabase(string Name, string ConnectionString)
{
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);
}
