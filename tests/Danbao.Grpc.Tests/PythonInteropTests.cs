using System.Diagnostics;
using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Support;

namespace Danbao.Grpc.Tests;

/// <summary>Runs tests/interop/interop_client.py (python3-grpcio, a real gRPC implementation) against our server.</summary>
[Collection(ServerCollection.Name)]
public sealed class PythonInteropTests(ServerFixture fixture)
{
    [Fact]
    public async Task Python_grpcio_client_passes_every_interop_case()
    {
        (int exit, string output) = await PythonInterop.RunAsync(fixture.Port);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        Assert.Contains("PASS cancel_after_first_response", output, StringComparison.Ordinal);
        Assert.Contains("PASS reflection_v1", output, StringComparison.Ordinal);
    }
}

/// <summary>Starts /usr/bin/python3 on the interop client. Missing python, grpcio or protoc fails the test (never skips).</summary>
public static class PythonInterop
{
    private const string Python = "/usr/bin/python3";

    public static async Task<(int Exit, string Output)> RunAsync(int port, params string[] extraArgs)
    {
        Assert.True(File.Exists(Python), $"{Python} not found: install python3 and python3-grpcio (apt-get install python3-grpcio).");
        Assert.True(File.Exists("/usr/bin/protoc"), "/usr/bin/protoc not found: apt-get install protobuf-compiler.");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.InteropClient);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Python interop client did not finish in 90 s:\n" + await stdout);
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
