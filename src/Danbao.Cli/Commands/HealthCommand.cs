using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Danbao.Client;
using Grpc.Health.V1;

namespace Danbao.Cli.Commands;

/// <summary>
/// `danbao health`: grpc.health.v1.Health/Check over h2c or TLS, as a load balancer sees it. Not a
/// probe: the probes GET /healthz and /livez on the metrics port (no .NET process per probe).
/// </summary>
internal static class HealthCommand
{
    public static Command Build(CliContext cli)
    {
        var service = new Option<string>("--service")
        {
            Description = "\"\" (default: the server and its database, for readiness) or liveness (the process only)",
            DefaultValueFactory = _ => "",
        };
        var ca = new Option<FileInfo>("--ca") { Description = "PEM CA to trust for an https:// server (default: the system's roots)" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "Ask the server's health service; exit 0 when SERVING, 1 when not, 3 when unreachable. Needs no key")
        {
            service, ca, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(cli.Server, UriKind.Absolute, out var address))
            {
                throw new UsageException($"--server '{cli.Server}' is not an address");
            }
            X509Certificate2Collection? roots = null;
            if (parse.GetValue(ca) is { } file)
            {
                roots = [];
                roots.ImportFromPemFile(file.FullName);
            }
            using var client = new DanbaoClient(address, cli.Key, new DanbaoClientOptions
            {
                TrustedServerRoots = roots, Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            });
            var name = parse.GetValue(service) ?? "";
            var reply = await new Health.HealthClient(client.Channel).CheckAsync(new HealthCheckRequest { Service = name },
                deadline: DateTime.UtcNow.AddSeconds(parse.GetValue(timeout)), cancellationToken: ct);
            cli.Out.WriteLine($"{(name.Length == 0 ? "\"\"" : name)}: {reply.Status}");
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }
}
