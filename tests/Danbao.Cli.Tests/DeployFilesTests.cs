using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Danbao.Cli.Tests.Support;
using Danbao.Server.Hosting;
using static Danbao.Cli.Tests.Support.YamlFiles;

namespace Danbao.Cli.Tests;

/// <summary>
/// What can be checked of deploy/ without Docker or a cluster: the YAML parses (python3-yaml), the
/// Kubernetes objects are complete, every command line in them (server args, init container,
/// Dockerfile CMD) is accepted by the real parsers of the server and the CLI, the pod runs as a
/// numeric non-root user, and the probes are HTTP requests, not processes.
/// </summary>
public sealed class DeployFilesTests
{
    /// <summary>APP_UID of the mcr.microsoft.com/dotnet images: their non-root "app" user and group.</summary>
    private const int DotnetImageAppUid = 1654;

    [Fact]
    public async Task Kubernetes_manifests_parse_and_every_object_has_kind_and_name()
    {
        var documents = await Documents(AppliedManifests());
        var kinds = documents.Select(d => d.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["Deployment", "Service", "Service", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Cluster", "ScheduledBackup"], kinds);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.GetProperty("apiVersion").GetString()));
            Assert.False(string.IsNullOrEmpty(d.GetProperty("metadata").GetProperty("name").GetString()));
        });
    }

    [Fact]
    public async Task The_deployment_runs_command_lines_the_server_and_the_cli_accept()
    {
        var pod = await DanbaoPod();
        var server = pod.GetProperty("containers")[0];
        var settings = ServerSettings.Parse(Strings(server.GetProperty("args")), name => name == "DANBAO_DB" ? "Host=x" : null);
        Assert.Equal(50051, settings.Port);
        Assert.Equal(9464, settings.MetricsPort);
        Assert.Equal("/tls/client-ca.crt", settings.ClientCaFile);
        // The kubelet probes the pod's IP, not its loopback.
        Assert.False(IPAddress.IsLoopback(settings.Listen));

        var ports = server.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("containerPort").GetInt32());
        Assert.Equal(settings.Port, ports["grpc"]);
        Assert.Equal(settings.MetricsPort, ports["metrics"]);

        // Every mounted file the args name comes from the secret volume.
        var mounted = pod.GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "tls")
            .GetProperty("secret").GetProperty("items").EnumerateArray().Select(i => "/tls/" + i.GetProperty("path").GetString()).ToHashSet();
        Assert.Contains(settings.TlsCertificateFile!, mounted);
        Assert.Contains(settings.TlsKeyFile!, mounted);
        Assert.Contains(settings.ClientCaFile!, mounted);

        // DANBAO_DB is an Npgsql key=value string built from variables defined before it.
        var env = server.GetProperty("env").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        var db = server.GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "DANBAO_DB").GetProperty("value").GetString()!;
        foreach (Match reference in Regex.Matches(db, @"\$\((\w+)\)"))
        {
            Assert.True(env.IndexOf(reference.Groups[1].Value) is >= 0 and var i && i < env.IndexOf("DANBAO_DB"), reference.Value);
        }
        _ = new Npgsql.NpgsqlConnectionStringBuilder(Regex.Replace(db, @"\$\((\w+)\)", "x").Replace("Port=x", "Port=5432"));

        // The init container is a `danbao` command line the CLI parses without error.
        var cli = Program.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));
        var migrate = Strings(pod.GetProperty("initContainers")[0].GetProperty("command"));
        Assert.Equal(["dotnet", "/app/cli/danbao.dll", "migrate"], migrate);
        Assert.Empty(cli.Parse(migrate[2..]).Errors);
    }

    [Fact]
    public async Task Probes_are_http_requests_to_the_metrics_port_not_processes()
    {
        var pod = await DanbaoPod();
        var containers = pod.GetProperty("containers").EnumerateArray().ToList();
        var server = Assert.Single(containers);
        var metricsPort = ServerSettings.Parse(Strings(server.GetProperty("args")), n => n == "DANBAO_DB" ? "Host=x" : null).MetricsPort;
        var expected = new Dictionary<string, string> { ["startupProbe"] = "/livez", ["readinessProbe"] = "/healthz", ["livenessProbe"] = "/livez" };
        foreach (var (probe, path) in expected)
        {
            var spec = server.GetProperty(probe);
            // An exec probe starts a process (a .NET one: 0.2 s of CPU, 54 MB) every period; a gRPC probe cannot speak TLS.
            Assert.False(spec.TryGetProperty("exec", out _), probe + " runs a process");
            Assert.False(spec.TryGetProperty("grpc", out _), probe + " is a gRPC probe on a TLS port");
            var get = spec.GetProperty("httpGet");
            Assert.Equal(path, get.GetProperty("path").GetString());
            Assert.Equal("metrics", get.GetProperty("port").GetString());
            Assert.False(get.TryGetProperty("scheme", out var scheme) && scheme.GetString() != "HTTP", probe + ": the metrics port is plain HTTP");
        }
        var named = server.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "metrics");
        Assert.Equal(metricsPort, named.GetProperty("containerPort").GetInt32());

        // No container anywhere (init containers included) probes by running dotnet or the CLI.
        var execs = Descendants(pod).Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("exec", out _)).ToList();
        Assert.Empty(execs);
    }

    [Fact]
    public async Task The_pod_runs_as_the_images_numeric_non_root_user()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Deploy, "Dockerfile"));
        var from = Array.FindLastIndex(dockerfile, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        var userLine = Array.FindLastIndex(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.True(userLine > from, "the runtime stage sets no USER");
        var runtimeStage = dockerfile[from];
        var user = dockerfile[userLine][5..].Trim();
        // A user name ("app") makes the kubelet refuse the pod under runAsNonRoot: it cannot prove a name is not root.
        int uid;
        if (user == "$APP_UID")
        {
            Assert.StartsWith("FROM mcr.microsoft.com/dotnet/", runtimeStage, StringComparison.Ordinal);
            uid = DotnetImageAppUid;
        }
        else
        {
            Assert.Matches("^[1-9][0-9]*(:[0-9]+)?$", user);
            uid = int.Parse(user.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        var pod = await DanbaoPod();
        var security = pod.GetProperty("securityContext");
        Assert.True(security.GetProperty("runAsNonRoot").GetBoolean());
        Assert.Equal(uid, security.GetProperty("runAsUser").GetInt32());
        Assert.Equal(uid, security.GetProperty("runAsGroup").GetInt32());
        Assert.Equal(uid, security.GetProperty("fsGroup").GetInt32());
        foreach (var container in pod.GetProperty("initContainers").EnumerateArray().Concat(pod.GetProperty("containers").EnumerateArray()))
        {
            var own = container.GetProperty("securityContext");
            Assert.False(own.TryGetProperty("runAsUser", out var other) && other.GetInt32() != uid, "a container overrides the user");
            Assert.False(own.GetProperty("allowPrivilegeEscalation").GetBoolean());
        }

        var services = (await Documents(Path.Combine(Deploy, "compose.yaml"))).Single().GetProperty("services");
        Assert.Equal($"{uid}:{uid}", services.GetProperty("danbao").GetProperty("user").GetString());
        Assert.Equal($"{uid}:{uid}", services.GetProperty("cli").GetProperty("user").GetString());
    }

    [Fact]
    public async Task Compose_parses_and_the_dockerfile_cmd_is_accepted_by_the_server()
    {
        var services = (await Documents(Path.Combine(Deploy, "compose.yaml"))).Single().GetProperty("services");
        Assert.Equal("deploy/Dockerfile", services.GetProperty("danbao").GetProperty("build").GetProperty("dockerfile").GetString());
        var db = services.GetProperty("danbao").GetProperty("environment").GetProperty("DANBAO_DB").GetString()!;
        Assert.Equal("postgres", new Npgsql.NpgsqlConnectionStringBuilder(db).Host);
        var health = Strings(services.GetProperty("danbao").GetProperty("healthcheck").GetProperty("test"));
        Assert.Equal(["CMD", "bash", "-c"], health[..3]);
        Assert.DoesNotContain("dotnet", health[3], StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/9464", health[3], StringComparison.Ordinal);

        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Deploy, "Dockerfile"));
        var cmd = JsonSerializer.Deserialize<string[]>(dockerfile.Single(l => l.StartsWith("CMD ", StringComparison.Ordinal))[4..])!;
        var settings = ServerSettings.Parse(cmd, name => name == "DANBAO_DB" ? "Host=x" : null);
        Assert.True(settings.Migrate);
        Assert.Equal(9464, settings.MetricsPort);
        Assert.False(IPAddress.IsLoopback(settings.Listen));
        Assert.Contains(dockerfile, l => l.StartsWith("COPY migrations /app/migrations", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.Contains("DANBAO_MIGRATIONS=/app/migrations", StringComparison.Ordinal));
    }

    /// <summary>
    /// The server's memory bound (RSS ≤ 200 MB, issues 12 and 13) rests on its runtimeconfig.json: workstation,
    /// non-concurrent GC with gen0's budget capped (docs/operations.md, "Memory"). A DOTNET_gc… variable in the
    /// image would silently override it.
    /// </summary>
    [Fact]
    public async Task The_image_runs_the_servers_own_gc_configuration()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Deploy, "Dockerfile"));
        Assert.DoesNotContain(dockerfile, l => !l.TrimStart().StartsWith('#') && l.Contains("DOTNET_GC", StringComparison.OrdinalIgnoreCase));
        var pod = await DanbaoPod();
        var env = pod.GetProperty("containers")[0].TryGetProperty("env", out var list) ? list.EnumerateArray().Select(e => e.GetProperty("name").GetString()!) : [];
        Assert.DoesNotContain(env, name => name.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase));

        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Danbao.Server.runtimeconfig.json")));
        var gc = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(gc.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(gc.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.InRange(gc.GetProperty("System.GC.Gen0MaxBudget").GetInt64(), 1L << 20, 64L << 20);
    }
}
