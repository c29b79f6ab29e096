using System.Globalization;
using System.Text.RegularExpressions;

namespace Danbao.Domain.Tests;

/// <summary>
/// Reads the seed rows of migrations/0010_policy.sql, so the tests run on exactly the data the
/// database ships with (and fail if the SQL and the C# catalog drift apart).
/// </summary>
public static partial class PolicySeed
{
    private static readonly Lazy<string> Sql = new(() => File.ReadAllText(FindMigration()));

    public static string SqlText => Sql.Value;

    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> VersionRows { get; } = ParseVersions();

    public static PolicyResolver Resolver { get; } = new(VersionRows.Select(r => r.Version));

    public static LprTable Lpr { get; } = new(LprRow().Matches(SqlText).Select(m => new LprEntry(
        DateOnly.ParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Rate.FromBp(decimal.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)),
        m.Groups[3].Value)));

    public static IReadOnlyList<int> CalendarYears { get; } = CalendarYearRow().Matches(SqlText)
        .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();

    public static WorkingCalendar Calendar { get; } = new(CalendarYears, CalendarDayRow().Matches(SqlText).Select(m => new CalendarDay(
        DateOnly.ParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        m.Groups[2].Value == "OFF" ? CalendarDayKind.Off : CalendarDayKind.MakeupWork,
        int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))));

    private static List<(PolicyVersion, string)> ParseVersions() =>
        VersionRow().Matches(SqlText).Select(m => (PolicyVersion.FromRow(
                m.Groups["id"].Value, m.Groups["key"].Value, m.Groups["region"].Value,
                DateOnly.ParseExact(m.Groups["from"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                m.Groups["value"].Value, m.Groups["source"].Value.Replace("''", "'")),
            m.Groups["kind"].Value)).ToList();

    private static string FindMigration()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "migrations", "0010_policy.sql");
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException("migrations/0010_policy.sql not found above the test directory");
    }

    [GeneratedRegex(@"^\s*\('(?<id>[^']+)', '(?<key>[A-Z0-9_]+)', '(?<region>[A-Z0-9-]+)', '(?<from>\d{4}-\d{2}-\d{2})', '(?<kind>[A-Z_]+)', '(?<value>[^']*)', '(?<source>(?:[^']|'')*)', 'seed:0010'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex VersionRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', (\d+(?:\.\d+)?), '([^']*)', 'seed:0010'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex LprRow();

    [GeneratedRegex(@"^\s*\((\d{4}), '国务院办公厅[^']*'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarYearRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', '(OFF|MAKEUP_WORK)', (\d{4})\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarDayRow();
}
