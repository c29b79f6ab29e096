using System.Diagnostics;
using System.Globalization;

namespace Danbao.Grpc.Tests.Support;

/// <summary>Starts /usr/bin/python3 on tests/interop/interop_client.py. Missing python, grpcio or protoc fails the test (never skips).</summary>
public static class PythonInterop
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Every case interop_client.py runs when given no --cases (its CASES list).</summary>
    public static readonly string[] AllCases =
    [
        "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary", "server_streaming",
        "server_compressed_streaming", "client_streaming", "ping_pong", "status_code_and_message", "special_status_message",
        "custom_metadata", "unimplemented_method", "unimplemented_service", "timeout_on_sleeping_server",
        "cancel_after_first_response", "health_check", "health_watch", "reflection_v1alpha", "reflection_v1", "oversized_request", "server_still_up",
    ];

    public static async Task<(int Exit, string Output)> RunAsync(int port, params string[] extraArgs)
    {
        Assert.True(File.Exists(Python), $"{Python} not found: install python3 and python3-grpcio (apt-get install python3-grpcio python3-protobuf).");
        Assert.True(File.Exists("/usr/bin/protoc"), "/usr/bin/protoc not found: apt-get install protobuf-compiler.");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.InteropClient);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Python interop client did not finish in 120 s:\n" + await stdout);
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Asserts the run passed and printed PASS for each of <paramref name="cases"/>.</summary>
    public static void AssertPassed((int Exit, string Output) run, IEnumerable<string> cases)
    {
        Assert.True(run.Exit == 0, run.Output);
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
        foreach (var name in cases)
        {
            Assert.True(run.Output.Contains($"PASS {name}\n", StringComparison.Ordinal), $"no PASS {name} in:\n{run.Output}");
        }
    }
}
