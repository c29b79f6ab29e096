namespace Danbao.Data.Migrations;

/// <summary>The database's migration history disagrees with the migration files, or a migration failed.</summary>
public sealed class MigrationException(string message, Exception? innerException = null) : Exception(message, innerException);
