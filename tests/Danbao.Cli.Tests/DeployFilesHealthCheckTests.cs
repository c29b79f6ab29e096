using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using static Danbao.Cli.Tests.Support.YamlFiles;

namespace Danbao.Cli.Tests;

/// <summary>
/// Compose's health check is a bash one-liner (the image has no curl, and a check must not start a
/// .NET process): run the very command against Kestrel answering GET /healthz like the server's
/// metrics port, with the port number swapped for a free one.
/// </summary>
public sealed class DeployFilesHealthCheckTests
{
    [Fact]
    public async Task Compose_health_check_passes_on_200_from_healthz_and_fails_on_503()
    {
        var test = Strings((await Documents(Path.Combine(Deploy, "compose.yaml"))).Single()
            .GetProperty("services").GetProperty("danbao").GetProperty("healthcheck").GetProperty("test"));
        Assert.Equal("CMD", test[0]);

        var status = StatusCodes.Status200OK;
        var requests = new List<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        await using var app = builder.Build();
        app.Run(http =>
        {
            lock (requests)
            {
                requests.Add($"{http.Request.Method} {http.Request.Path} {http.Request.Protocol}");
            }
            http.Response.StatusCode = http.Request.Path == "/healthz" && HttpMethods.IsGet(http.Request.Method) ? status : StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.Single()).Port;

        const string Target = "/dev/tcp/127.0.0.1/9464";
        Assert.Contains(Target, test[^1], StringComparison.Ordinal);
        var command = test[1..^1].Append(test[^1].Replace(Target, $"/dev/tcp/127.0.0.1/{port}", StringComparison.Ordinal)).ToArray();

        Assert.Equal(0, await RunAsync(command));
        status = StatusCodes.Status503ServiceUnavailable;
        Assert.NotEqual(0, await RunAsync(command));
        Assert.Equal(["GET /healthz HTTP/1.1", "GET /healthz HTTP/1.1"], requests);
        await app.StopAsync();

        // Nothing listening: unhealthy, not an error of the check itself.
        Assert.NotEqual(0, await RunAsync(command));
    }

    private static async Task<int> RunAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in command[1..])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
