using Danbao.Data;
using Npgsql;
using Xunit;

namespace Danbao.TestSupport;

/// <summary>
/// xunit class fixture: a fresh migrated database for one test class
/// (<c>IClassFixture&lt;PostgresFixture&gt;</c>). Tests that need a database of their own call
/// <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private NpgsqlDataSource? _dataSource;
    private Database? _db;

    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString => (_database ?? throw NotStarted()).ConnectionString;

    public NpgsqlDataSource DataSource => _dataSource ?? throw NotStarted();

    /// <summary>The service's <see cref="Danbao.Data.Database"/> over this class's database.</summary>
    public Database Database => _db ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.GetAsync();
        _database = await Server.CreateDatabaseAsync();
        _dataSource = _database.CreateDataSource();
        _db = new Database(_dataSource, new DatabaseOptions { ConnectionString = _database.ConnectionString });
    }

    public Task<TestDatabase> CreateDatabaseAsync(bool migrated = true) => Server.CreateDatabaseAsync(migrated);

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        if (_database is not null && Server.IsShared)
        {
            await Server.DropDatabaseAsync(_database);
        }
    }

    private static InvalidOperationException NotStarted() => new("PostgresFixture is not initialised yet.");
}
