namespace Danbao.Data.Migrations;

/// <summary>Finds the repository's <c>migrations/</c> directory.</summary>
public static class MigrationsDirectory
{
    /// <summary>Environment variable that names the migrations directory explicitly.</summary>
    public const string Variable = "DANBAO_MIGRATIONS";

    /// <summary>
    /// <paramref name="configured"/> when given, else <c>DANBAO_MIGRATIONS</c>, else the first
    /// <c>migrations/</c> directory holding <c>*.sql</c> found walking up from the application's
    /// base directory (works from bin/Debug/net10.0 in a checkout and from a container image
    /// that copies migrations/ next to the binaries).
    /// </summary>
    public static string Locate(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "migrations");
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.sql").Any())
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"No migrations/ directory with *.sql files above {AppContext.BaseDirectory}; set {Variable}.");
    }
}
