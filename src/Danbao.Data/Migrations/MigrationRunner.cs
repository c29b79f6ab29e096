using Dapper;
using Npgsql;

namespace Danbao.Data.Migrations;

/// <summary>
/// Applies forward-only SQL migrations in lexical order, each in its own transaction, and
/// records name, SHA-256 checksum and time in <c>schema_migrations</c>.
/// </summary>
/// <remarks>
/// Refuses to run (<see cref="MigrationException"/>) when history and files disagree: an applied
/// file was edited or deleted, or a new file sorts before the last applied one. Concurrent
/// runners (several replicas starting at once) serialise on a session advisory lock, so each
/// migration is applied exactly once.
/// </remarks>
public sealed class MigrationRunner
{
    /// <summary>Advisory lock key: "danbao-migrations" as an arbitrary but fixed bigint.</summary>
    public const long AdvisoryLockKey = 0x64616e62616f6d;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _directory;

    public MigrationRunner(NpgsqlDataSource dataSource, string? migrationsDirectory = null)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _directory = MigrationsDirectory.Locate(migrationsDirectory);
    }

    public string Directory => _directory;

    /// <summary>Applies pending migrations; returns the names applied by this call (empty when up to date).</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct)
    {
        var migrations = Migration.LoadDirectory(_directory);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(
            new CommandDefinition("select pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: ct, commandTimeout: 0));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                create table if not exists schema_migrations (
                    name        text primary key,
                    checksum    text not null,
                    applied_at  timestamptz not null default now()
                )
                """,
                cancellationToken: ct));
            var applied = (await connection.QueryAsync<(string Name, string Checksum)>(new CommandDefinition(
                "select name, checksum from schema_migrations order by name", cancellationToken: ct))).ToList();
            var pending = SelectPending(migrations, applied);
            var appliedNow = new List<string>(pending.Count);
            foreach (var migration in pending)
            {
                await ApplyOneAsync(connection, migration, ct);
                appliedNow.Add(migration.Name);
            }
            return appliedNow;
        }
        finally
        {
            await connection.ExecuteAsync(
                new CommandDefinition("select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>Checks history against files and returns the files not yet applied, in order.</summary>
    public static IReadOnlyList<Migration> SelectPending(
        IReadOnlyList<Migration> migrations, IReadOnlyList<(string Name, string Checksum)> applied)
    {
        var byName = migrations.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var (name, checksum) in applied)
        {
            if (!byName.TryGetValue(name, out var file))
            {
                throw new MigrationException(
                    $"Migration {name} is recorded as applied but its file is missing; restore it (migrations are forward-only).");
            }
            if (!string.Equals(file.ChecksumSha256, checksum, StringComparison.Ordinal))
            {
                throw new MigrationException(
                    $"Migration {name} was edited after it was applied (checksum {checksum} recorded, {file.ChecksumSha256} on disk); " +
                    "revert the edit and add a new migration instead.");
            }
        }
        var appliedNames = applied.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var lastApplied = applied.Select(a => a.Name).Order(StringComparer.Ordinal).LastOrDefault();
        var pending = migrations.Where(m => !appliedNames.Contains(m.Name)).ToList();
        var outOfOrder = pending.FirstOrDefault(m => lastApplied is not null && StringComparer.Ordinal.Compare(m.Name, lastApplied) < 0);
        if (outOfOrder is not null)
        {
            throw new MigrationException(
                $"Migration {outOfOrder.Name} sorts before the already applied {lastApplied}; rename it to come last.");
        }
        return pending;
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                command.CommandTimeout = 0;
                await command.ExecuteNonQueryAsync(ct);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into schema_migrations (name, checksum) values (@name, @checksum)",
                new { name = migration.Name, checksum = migration.ChecksumSha256 },
                transaction,
                cancellationToken: ct));
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException exception)
        {
            throw new MigrationException($"Migration {migration.Name} failed: {exception.MessageText} ({exception.SqlState}); nothing of it was applied.", exception);
        }
    }
}
