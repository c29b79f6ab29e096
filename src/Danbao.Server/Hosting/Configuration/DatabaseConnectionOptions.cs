using Microsoft.Extensions.Options;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>The PostgreSQL the server runs on (section "Database"; DANBAO_DB).</summary>
public sealed class DatabaseConnectionOptions
{
    public const string Section = "Database";

    /// <summary>An Npgsql key=value connection string. Required.</summary>
    public string ConnectionString { get; set; } = "";
}

public sealed class DatabaseConnectionOptionsValidator : IValidateOptions<DatabaseConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseConnectionOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail("DANBAO_DB is not set: give the PostgreSQL connection string (./run.sh does this for you)")
            : ValidateOptionsResult.Success;
}
