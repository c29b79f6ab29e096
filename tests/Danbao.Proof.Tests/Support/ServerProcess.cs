using Grpc.Net.Client;
using Danbao.Contracts.V1;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Danbao.Client;
using Grpc.Core;
using Grpc.Health.V1;

namespace Danbao.Proof.Tests.Support;

/// <summary>
/// The real server as a separate process (<c>dotnet Danbao.Server.dll</c>), so it can be killed
/// with SIGKILL and its memory read from /proc. Its stdout and stderr are kept (in
/// <see cref="AllOutput"/> too, for the log scan at the end of the run).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>Every line any server process of this test run wrote.</summary>
    public static readonly ConcurrentQueue<string> AllOutput = new();

    /// <summary>Every server process started, killed when the test process exits (even on a test that hangs up in its finally).</summary>
    private static readonly ConcurrentDictionary<int, Process> Started = new();

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Started.Values)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    private readonly string _connectionString;
    private readonly string[] _extraArgs;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public ServerProcess(string connectionString, string directory, params string[] extraArgs)
    {
        _connectionString = connectionString;
        Directory = directory;
        _extraArgs = extraArgs;
        Port = FreePort();
    }

    public string Directory { get; }

    /// <summary>Pass --migrate and --demo-keys (default): off for a server whose database is down.</summary>
    public bool Demo { get; init; } = true;

    public int Port { get; }

    /// <summary>Extra environment variables for the process (e.g. DANBAO_LOG_FORMAT).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public string KeysFile => Path.Combine(Directory, "keys.txt");

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    public bool HasExited => _process is null || _process.HasExited;

    public IReadOnlyCollection<string> Output => _output;

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public IReadOnlyDictionary<string, string> Keys =>
        File.ReadAllLines(KeysFile).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    /// <summary>The server dll built in the same configuration as this test assembly.</summary>
    public static string ServerDll
    {
        get
        {
            var baseDir = AppContext.BaseDirectory; // tests/Danbao.Proof.Tests/bin/<Config>/net10.0/
            var configuration = new DirectoryInfo(baseDir).Parent!.Name;
            var root = RepoRoot;
            var dll = Path.Combine(root, "src", "Danbao.Server", "bin", configuration, "net10.0", "Danbao.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"server not built: {dll}");
        }
    }

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Danbao.sln")))
                {
                    return d.FullName;
                }
            }
            throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>Starts the process and waits until it says it is serving.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] demo = Demo ? ["--migrate", "--demo-keys", KeysFile] : [];
        // Proof tests attack with bad credentials by the hundred (the security matrix, the fuzzer): the
        // per-peer failure limit is proven on its own (Server.Tests SecurityTests), so lift it here unless asked.
        string[] limits = _extraArgs.Contains("--auth-failure-burst") ? [] : ["--auth-failure-burst", "1000000", "--auth-failures-per-second", "1000000"];
        foreach (var arg in new[] { ServerDll, "--port", Port.ToString(), "--pii-key-file", Path.Combine(Directory, "pii.key") }.Concat(demo).Concat(limits).Concat(_extraArgs))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DANBAO_DB"] = _connectionString;
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }
            _output.Enqueue(line);
            AllOutput.Enqueue(line);
            if (line.Contains("Danbao is serving gRPC", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("server exited at start:\n" + string.Join("\n", _output.TakeLast(30))));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Started[process.Id] = process;
        await ready.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            await p.WaitForExitAsync();
            Started.TryRemove(p.Id, out _);
        }
    }

    /// <summary>Resident memory in KiB, from /proc/PID/status.</summary>
    public long RssKib()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
    }

    /// <summary>
    /// Gives gz-fund capital so it can guarantee loans (a fund without capital has no leverage
    /// capacity). A fixed request id: calling it again, after a restart too, changes nothing.
    /// </summary>
    public async Task CapitaliseFundAsync()
    {
        using var finance = Client("gz-finance");
        await finance.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
        {
            RequestId = "proof-capital-gz-fund", Fund = "institutions/gz-fund", AmountFen = 1_000_000_000_00,
            FundingSource = FundingSource.FinanceCapital, ContributionDate = "2020-01-02", Reference = "proof tests",
        });
    }

    public DanbaoClient Client(string institution, TimeSpan? timeout = null) =>
        new(Address, Keys[institution], new DanbaoClientOptions { Timeout = timeout ?? TimeSpan.FromSeconds(10) });

    /// <summary>grpc.health.v1.Health/Check with the empty service name.</summary>
    public static async Task<HealthCheckResponse.Types.ServingStatus?> HealthAsync(GrpcChannel channel)
    {
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return reply.Status;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
