using System.Globalization;
using System.Text.RegularExpressions;

namespace Danbao.TestSupport;

/// <summary>
/// A Prometheus text exposition read into its samples, so tests ask for a series by name and labels
/// without depending on the exporter's label order.
/// </summary>
public sealed partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private PrometheusText(IReadOnlyList<Sample> samples, IReadOnlyList<string> helpNames)
    {
        Samples = samples;
        HelpNames = helpNames;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>The metric families that have a "# HELP" line.</summary>
    public IReadOnlyList<string> HelpNames { get; }

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var help = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                help.Add(line.Split(' ')[2]);
                continue;
            }
            if (line.StartsWith('#'))
            {
                continue;
            }
            var m = SampleLine().Match(line);
            if (!m.Success)
            {
                throw new FormatException($"not a Prometheus sample line: {line}");
            }
            var labels = LabelPair().Matches(m.Groups["labels"].Value)
                .ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value, StringComparer.Ordinal);
            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(m.Groups["name"].Value, labels, value));
        }
        return new PrometheusText(samples, help);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include every one given.</summary>
    public IReadOnlyList<Sample> Find(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();

    /// <summary>The one sample of <paramref name="name"/> with these labels (fails when there is none or several).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var found = Find(name, labels);
        return found.Count == 1
            ? found[0].Value
            : throw new InvalidOperationException($"{found.Count} samples of {name} with {string.Join(",", labels.Select(l => $"{l.Label}={l.Value}"))}");
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})? (?<value>\S+)(?: \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex LabelPair();
}
