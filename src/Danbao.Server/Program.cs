using Danbao.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The Danbao gRPC server. ./run.sh starts it with a local PostgreSQL; see --help for options.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ServerSettings.Usage);
    return 0;
}
ServerSettings settings;
try
{
    settings = ServerSettings.Parse(args, Environment.GetEnvironmentVariable);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"danbao-server: {ex.Message}\n\n{ServerSettings.Usage}");
    return 2;
}

var clock = settings.Clock(TimeProvider.System);
DanbaoHost started;
try
{
    started = await DanbaoHost.StartAsync(settings, clock);
}
catch (Exception ex) when (settings.JsonLogs)
{
    // The host's logger is gone with the host: the failure still goes out as one JSON record with a timestamp.
    Console.Error.WriteLine(JsonLogRecord.Critical("Danbao.Server", "The server failed to start", ex));
    return 1;
}
await using var host = started;
// With JSON logs every line on stdout is a JSON object: the start-up lines go through the logger.
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Danbao.Server");
void Say(string message)
{
    if (settings.JsonLogs)
    {
        if (log.IsEnabled(LogLevel.Information))
        {
            log.LogInformation("{Message}", message);
        }
    }
    else
    {
        Console.WriteLine(message);
    }
}
Say($"Danbao is serving gRPC on {settings.Listen}:{host.Port} ({(settings.TlsCertificateFile is null ? "h2c" : "TLS")}).");
if (clock is BusinessDateClock sandbox)
{
    Say($"Sandbox: the business date is {sandbox.Date:yyyy-MM-dd} (CST) for every rule; move it forward with `./danbao business-date advance --key @admin`.");
    if (settings.BusinessDate is { } asked && asked < sandbox.Date)
    {
        Say($"(--business-date {asked:yyyy-MM-dd} is before the date this sandbox's database had reached: the business date never moves back.)");
    }
}
if (host.DemoKeys.Count > 0 && settings.JsonLogs)
{
    // JSON logs: stdout carries log records only; the keys stay in their file (mode 600).
    Say($"Demo API keys for {host.DemoKeys.Count} institutions are in {settings.DemoKeysFile}.");
}
else if (host.DemoKeys.Count > 0)
{
    Console.WriteLine("Demo API keys (also in the --demo-keys file):");
    foreach (var (institution, key) in host.DemoKeys)
    {
        Console.WriteLine($"  {institution,-11} {key}");
    }
    var bank = host.DemoKeys.GetValueOrDefault("icbc-gz");
    Console.WriteLine($"""

        First call (grpcurl, through reflection):
          grpcurl -plaintext -H 'authorization: Bearer {bank}' {settings.Listen}:{host.Port} danbao.v1.IdentityService/WhoAmI
        Health:
          grpcurl -plaintext {settings.Listen}:{host.Port} grpc.health.v1.Health/Check
        Press Ctrl-C to stop.
        """);
}
await host.WaitForShutdownAsync();
return 0;
