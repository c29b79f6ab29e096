using System.CommandLine;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Commands;

/// <summary>`danbao whoami`: which institution and role the key authenticates as.</summary>
internal static class WhoAmICommand
{
    public static Command Build(CliContext cli)
    {
        var command = new Command("whoami", "Show the institution, role and region the API key authenticates as");
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var caller = await client.Identity.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: ct);
            cli.Out.WriteLine($"{caller.Institution} role={caller.Role} region={caller.Region} key={caller.KeyId} via={caller.AuthenticatedBy}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
