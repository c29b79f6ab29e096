using Dapper;
using Danbao.Data.Migrations;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

public sealed class MigrationRunnerTests : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly PostgresFixture _postgres;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "danbao-migrations-" + Guid.NewGuid().ToString("N"));

    public MigrationRunnerTests(PostgresFixture postgres)
    {
        _postgres = postgres;
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "0001_a.sql"), "create table a (id int primary key);");
        File.WriteAllText(Path.Combine(_directory, "0002_b.sql"), "create table b (id int primary key); insert into b values (1);");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Applying_twice_applies_each_migration_once_and_the_second_run_is_a_no_op()
    {
        await using var dataSource = (await _postgres.CreateDatabaseAsync(migrated: false)).CreateDataSource();
        var runner = new MigrationRunner(dataSource, _directory);

        Assert.Equal(["0001_a.sql", "0002_b.sql"], await runner.ApplyAsync(CancellationToken.None));
        Assert.Empty(await runner.ApplyAsync(CancellationToken.None));

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from b"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("select count(*) from schema_migrations where length(checksum) = 64"));
    }

    [Fact]
    public async Task A_migration_edited_after_it_was_applied_is_refused()
    {
        await using var dataSource = (await _postgres.CreateDatabaseAsync(migrated: false)).CreateDataSource();
        await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None);
        File.AppendAllText(Path.Combine(_directory, "0001_a.sql"), "\n-- sneaky edit");
        File.WriteAllText(Path.Combine(_directory, "0003_c.sql"), "create table c (id int);");

        var refusal = await Assert.ThrowsAsync<MigrationException>(async () => await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None));

        Assert.Contains("0001_a.sql was edited", refusal.Message);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('c') is not null"));
    }

    [Fact]
    public async Task A_recorded_migration_whose_file_is_missing_is_refused()
    {
        await using var dataSource = (await _postgres.CreateDatabaseAsync(migrated: false)).CreateDataSource();
        await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None);
        File.Delete(Path.Combine(_directory, "0002_b.sql"));

        var refusal = await Assert.ThrowsAsync<MigrationException>(async () => await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None));
        Assert.Contains("0002_b.sql", refusal.Message);
        Assert.Contains("missing", refusal.Message);
    }

    [Fact]
    public async Task A_new_migration_sorting_before_an_applied_one_is_refused()
    {
        await using var dataSource = (await _postgres.CreateDatabaseAsync(migrated: false)).CreateDataSource();
        await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None);
        File.WriteAllText(Path.Combine(_directory, "0001b_late.sql"), "create table late (id int);");

        await Assert.ThrowsAsync<MigrationException>(async () => await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_of_itself_behind()
    {
        await using var dataSource = (await _postgres.CreateDatabaseAsync(migrated: false)).CreateDataSource();
        File.WriteAllText(Path.Combine(_directory, "0003_bad.sql"), "create table half (id int); select * from no_such_table;");

        await Assert.ThrowsAsync<MigrationException>(async () => await new MigrationRunner(dataSource, _directory).ApplyAsync(CancellationToken.None));

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('half') is not null"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
    }

    [Fact]
    public async Task Five_concurrent_runners_apply_each_migration_exactly_once()
    {
        var database = await _postgres.CreateDatabaseAsync(migrated: false);
        var dataSources = Enumerable.Range(0, 5).Select(_ => database.CreateDataSource()).ToList();
        try
        {
            var results = await Task.WhenAll(dataSources.Select(ds => Task.Run(() => new MigrationRunner(ds).ApplyAsync(CancellationToken.None))));

            var allApplied = results.SelectMany(r => r).ToList();
            var files = Migration.LoadDirectory(MigrationsDirectory.Locate()).Select(m => m.Name).ToList();
            Assert.Equal(files.Order(StringComparer.Ordinal), allApplied.Order(StringComparer.Ordinal));
            Assert.Single(results, r => r.Count > 0);
        }
        finally
        {
            foreach (var ds in dataSources)
            {
                await ds.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_repository_migrations_are_all_applied_to_the_template()
    {
        await using var connection = await _postgres.DataSource.OpenConnectionAsync();
        var recorded = (await connection.QueryAsync<string>("select name from schema_migrations order by name")).ToList();
        var files = Migration.LoadDirectory(MigrationsDirectory.Locate()).Select(m => m.Name).ToList();
        Assert.Equal(files, recorded);
        Assert.Empty(MigrationRunner.SelectPending(
            Migration.LoadDirectory(MigrationsDirectory.Locate()),
            (await connection.QueryAsync<(string, string)>("select name, checksum from schema_migrations")).ToList()));
    }
}
