using System.Diagnostics;
using System.Text.Json;

namespace Danbao.Cli.Tests.Support;

/// <summary>The deploy files' YAML as JSON, parsed by python3-yaml (safe_load_all): no YAML package in the tests.</summary>
public static class YamlFiles
{
    public static readonly string Deploy = Path.Combine(Repository.Root, "deploy");

    /// <summary>Every manifest `kubectl apply -R -f deploy/k8s` would send, subfolders included.</summary>
    public static string[] AppliedManifests() =>
        Directory.EnumerateFiles(Path.Combine(Deploy, "k8s"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static async Task<List<JsonElement>> Documents(params string[] files)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "import json, sys, yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f, encoding='utf-8')) if d is not None]))" }.Concat(files))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "python3-yaml could not parse: " + await error);
        return JsonDocument.Parse(await output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>The Deployment's pod spec in deploy/k8s/danbao.yaml.</summary>
    public static async Task<JsonElement> DanbaoPod() =>
        (await Documents(Path.Combine(Deploy, "k8s", "danbao.yaml")))
            .Single(d => d.GetProperty("kind").GetString() == "Deployment")
            .GetProperty("spec").GetProperty("template").GetProperty("spec");

    /// <summary>This element and every object and array inside it.</summary>
    public static IEnumerable<JsonElement> Descendants(JsonElement element)
    {
        yield return element;
        var children = element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(p => p.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(a => a.GetString()!).ToArray();
}
