using System.Text.Json;
using System.Text.RegularExpressions;
using static Danbao.Cli.Tests.Support.YamlFiles;

namespace Danbao.Cli.Tests;

/// <summary>
/// Secrets stay out of deploy/k8s: re-applying the folder must never replace the ID-number key
/// (a new one makes every stored ID number unreadable). The manifests only reference secrets that
/// docs/operations.md says how to create once.
/// </summary>
public sealed partial class DeployFilesSecretsTests
{
    [Fact]
    public async Task The_applied_folder_holds_no_secret()
    {
        var manifests = AppliedManifests();
        Assert.NotEmpty(manifests);
        foreach (var file in manifests)
        {
            var secrets = (await Documents(file)).Where(d => d.GetProperty("kind").GetString() == "Secret").ToList();
            Assert.True(secrets.Count == 0, $"{Path.GetRelativePath(Repository.Root, file)} holds a Secret: `kubectl apply` would overwrite the real one");
        }
    }

    [Fact]
    public async Task Every_secret_key_the_manifests_read_has_a_documented_create_command()
    {
        var documents = await Documents(AppliedManifests());
        // CloudNativePG creates "<cluster>-app" (the database owner's credentials) itself.
        var byOperator = documents.Where(d => d.GetProperty("kind").GetString() == "Cluster")
            .Select(d => d.GetProperty("metadata").GetProperty("name").GetString() + "-app").ToHashSet();

        var referenced = new HashSet<(string Secret, string Key)>();
        foreach (var element in documents.SelectMany(Descendants).Where(e => e.ValueKind == JsonValueKind.Object))
        {
            var names = element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
            if (names.SequenceEqual(["key", "name"]))
            {
                // secretKeyRef, and CloudNativePG's s3Credentials.
                referenced.Add((element.GetProperty("name").GetString()!, element.GetProperty("key").GetString()!));
            }
            else if (element.TryGetProperty("secretName", out var secretName))
            {
                Assert.True(element.TryGetProperty("items", out var items), "a secret volume without items mounts every key, documented or not");
                foreach (var item in items.EnumerateArray())
                {
                    referenced.Add((secretName.GetString()!, item.GetProperty("key").GetString()!));
                }
            }
        }
        Assert.Contains(("danbao-pii-key", "DANBAO_PII_KEY"), referenced);
        Assert.Contains(("danbao-tls", "tls.key"), referenced);

        var documented = DocumentedSecrets(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "operations.md")));
        foreach (var (secret, key) in referenced.Where(r => !byOperator.Contains(r.Secret)))
        {
            Assert.True(documented.Contains((secret, key)), $"docs/operations.md has no `kubectl create secret generic {secret} --from-file={key}=…`");
        }
    }

    [Fact]
    public void Create_commands_are_read_across_continued_lines()
    {
        var documented = DocumentedSecrets("""
            kubectl create secret generic a --from-file=x=f \
              --from-literal=y="$Y"
            kubectl create secret generic b --from-file=z
            """);
        Assert.Equal([("a", "x"), ("a", "y"), ("b", "z")], documented.Order());
    }

    /// <summary>(secret, key) of every `kubectl create secret generic` in a text, `\` continuations joined.</summary>
    private static HashSet<(string Secret, string Key)> DocumentedSecrets(string text)
    {
        var joined = ContinuedLine().Replace(text, " ");
        var result = new HashSet<(string, string)>();
        foreach (Match command in CreateSecret().Matches(joined))
        {
            foreach (Capture key in command.Groups["key"].Captures)
            {
                result.Add((command.Groups["name"].Value, key.Value));
            }
        }
        return result;
    }

    [GeneratedRegex(@"\\\r?\n\s*")]
    private static partial Regex ContinuedLine();

    [GeneratedRegex(@"kubectl create secret generic (?<name>[a-z0-9.-]+)(?:[ \t]+--from-(?:file|literal)=(?<key>[^=\s]+)\S*)+")]
    private static partial Regex CreateSecret();
}
