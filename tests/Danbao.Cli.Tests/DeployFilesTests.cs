using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Danbao.Server.Hosting;

namespace Danbao.Cli.Tests;

/// <summary>
/// What can be checked of deploy/ without Docker or a cluster: the YAML parses (python3-yaml), the
/// Kubernetes objects are complete, and every command line in them (server args, CLI probes and
/// init container, Dockerfile CMD) is accepted by the real parsers of the server and the CLI.
/// </summary>
public sealed class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(Repository.Root, "deploy");

    [Fact]
    public async Task Kubernetes_manifests_parse_and_every_object_has_kind_and_name()
    {
        var documents = await YamlDocuments(Path.Combine(Deploy, "k8s", "danbao.yaml"), Path.Combine(Deploy, "k8s", "postgres-cluster.yaml"));
        var kinds = documents.Select(d => d.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["Secret", "Deployment", "Service", "Service", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Cluster", "ScheduledBackup"], kinds);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.GetProperty("apiVersion").GetString()));
            Assert.False(string.IsNullOrEmpty(d.GetProperty("metadata").GetProperty("name").GetString()));
        });
    }

    [Fact]
    public async Task The_deployment_runs_command_lines_the_server_and_the_cli_accept()
    {
        var deployment = (await YamlDocuments(Path.Combine(Deploy, "k8s", "danbao.yaml"))).Single(d => d.GetProperty("kind").GetString() == "Deployment");
        var pod = deployment.GetProperty("spec").GetProperty("template").GetProperty("spec");
        var server = pod.GetProperty("containers")[0];
        var args = server.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var settings = ServerSettings.Parse(args, name => name == "DANBAO_DB" ? "Host=x" : null);
        Assert.Equal(50051, settings.Port);
        Assert.Equal(9464, settings.MetricsPort);
        Assert.Equal("/tls/client-ca.crt", settings.ClientCaFile);

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

        // The probes and the init container are `danbao` command lines the CLI parses without error.
        var cli = Program.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));
        var commands = new List<string[]>();
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            commands.Add(server.GetProperty(probe).GetProperty("exec").GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray());
        }
        commands.Add(pod.GetProperty("initContainers")[0].GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray());
        Assert.All(commands, command =>
        {
            Assert.Equal(["dotnet", "/app/cli/danbao.dll"], command[..2]);
            var parsed = cli.Parse(command[2..]);
            Assert.True(parsed.Errors.Count == 0, string.Join(' ', command) + ": " + string.Join("; ", parsed.Errors.Select(e => e.Message)));
        });
        foreach (var file in server.GetProperty("readinessProbe").GetProperty("exec").GetProperty("command").EnumerateArray().Select(a => a.GetString()!).Where(a => a.StartsWith("/tls/", StringComparison.Ordinal)))
        {
            Assert.Contains(file, mounted);
        }
    }

    [Fact]
    public async Task Compose_parses_and_the_dockerfile_cmd_is_accepted_by_the_server()
    {
        var compose = (await YamlDocuments(Path.Combine(Deploy, "compose.yaml"))).Single();
        var services = compose.GetProperty("services");
        Assert.Equal("deploy/Dockerfile", services.GetProperty("danbao").GetProperty("build").GetProperty("dockerfile").GetString());
        var db = services.GetProperty("danbao").GetProperty("environment").GetProperty("DANBAO_DB").GetString()!;
        Assert.Equal("postgres", new Npgsql.NpgsqlConnectionStringBuilder(db).Host);
        var health = services.GetProperty("danbao").GetProperty("healthcheck").GetProperty("test").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var cli = Program.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));
        Assert.Empty(cli.Parse(health[3..]).Errors);

        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Deploy, "Dockerfile"));
        var cmd = JsonSerializer.Deserialize<string[]>(dockerfile.Single(l => l.StartsWith("CMD ", StringComparison.Ordinal))[4..])!;
        var settings = ServerSettings.Parse(cmd, name => name == "DANBAO_DB" ? "Host=x" : null);
        Assert.True(settings.Migrate);
        Assert.Equal(9464, settings.MetricsPort);
        Assert.Contains(dockerfile, l => l.StartsWith("COPY migrations /app/migrations", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.Contains("DANBAO_MIGRATIONS=/app/migrations", StringComparison.Ordinal));
    }

    /// <summary>The YAML files' documents as JSON, parsed by python3-yaml (safe_load_all).</summary>
    private static async Task<List<JsonElement>> YamlDocuments(params string[] files)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "import json, sys, yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f, encoding='utf-8')) if d is not None]))" }.Concat(files))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "python3-yaml could not parse: " + error);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
