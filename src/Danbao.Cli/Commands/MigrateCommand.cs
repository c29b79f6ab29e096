using System.CommandLine;
using Danbao.Data;
using Danbao.Data.Migrations;

namespace Danbao.Cli.Commands;

/// <summary>`danbao migrate`: applies pending migrations directly on DANBAO_DB.</summary>
internal static class MigrateCommand
{
    public static Command Build(CliContext cli)
    {
        var directory = new Option<string>("--migrations") { Description = "Directory of NNNN_name.sql files [env DANBAO_MIGRATIONS; default: migrations/ found above the binary]" };
        var command = new Command("migrate", "Apply pending database migrations, in order, with checksums (directly on DANBAO_DB)") { directory };
        command.SetAction(async (parse, ct) =>
        {
            var path = MigrationsDirectory.Locate(parse.GetValue(directory) ?? cli.Environment(MigrationsDirectory.Variable));
            await using var database = new Database(new DatabaseOptions { ConnectionString = cli.DatabaseConnectionString() });
            var applied = await new MigrationRunner(database.DataSource, path).ApplyAsync(ct);
            if (applied.Count == 0)
            {
                cli.Out.WriteLine($"Database is up to date ({path}).");
            }
            foreach (var name in applied)
            {
                cli.Out.WriteLine("applied " + name);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
