using System.Diagnostics;
using Danbao.Grpc.Tests.Support;
using Xunit.Abstractions;

namespace Danbao.Grpc.Tests;

/// <summary>
/// The partner SDK as a bank gets it: `dotnet pack` makes Danbao.Contracts and Danbao.Client
/// packages into a local folder feed, a fresh console project restores Danbao.Client from that
/// feed (its gRPC dependencies from the registry) and calls the real server with a demo key.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class SdkPackageTests(SharedHost shared, ITestOutputHelper output)
{
    [Fact]
    public async Task A_fresh_project_restores_the_packed_sdk_from_a_local_feed_and_calls_the_server()
    {
        var work = Directory.CreateTempSubdirectory("danbao-sdk-").FullName;
        // A version of this run's own: the machine's package cache never serves an older build of the SDK.
        var version = $"1.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        try
        {
            var feed = Path.Combine(work, "feed");
            foreach (var project in new[] { "src/Danbao.Contracts", "src/Danbao.Client" })
            {
                await RunAsync(RepoPaths.Root, "dotnet", "pack", Path.Combine(RepoPaths.Root, project), "-c", "Release", "-o", feed, "-nologo", "-v", "quiet",
                    $"-p:PackageVersion={version}");
            }
            Assert.Contains(Directory.GetFiles(feed), f => f.EndsWith($"Danbao.Client.{version}.nupkg", StringComparison.Ordinal));

            var app = Path.Combine(work, "bank-app");
            Directory.CreateDirectory(app);
            // Outside the repository: no Directory.Build.props or central package versions apply.
            await File.WriteAllTextAsync(Path.Combine(app, "bank-app.csproj"), $$"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Danbao.Client" Version="{{version}}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="danbao-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Danbao.Client;
                using Danbao.Contracts.V1;
                using Grpc.Core;

                using var danbao = new DanbaoClient(new Uri(args[0]), args[1]);
                var me = await danbao.Identity.WhoAmIAsync(new WhoAmIRequest());
                Console.WriteLine($"caller {me.Institution} {me.Role}");
                try
                {
                    await danbao.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/not-a-loan" });
                }
                catch (RpcException e)
                {
                    Console.WriteLine($"refused {e.StatusName()} {e.Reason()}");
                }
                """);
            // The temp folder sits outside the repository, so its own nuget.config adds the local feed to the machine's sources.
            await RunAsync(app, "dotnet", "build", "-c", "Release", "-nologo", "-v", "quiet");
            var key = shared.Server.Host.DemoKeys["icbc-gz"];
            var run = await RunAsync(app, "dotnet", Path.Combine(app, "bin", "Release", "net10.0", "bank-app.dll"), shared.Server.Address.ToString(), key);
            Assert.Contains("caller institutions/icbc-gz Bank", run, StringComparison.Ordinal);
            Assert.Contains("refused ", run, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> RunAsync(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        output.WriteLine($"$ {file} {string.Join(' ', args)}\n{text}");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
