using System.Globalization;
using System.Text.RegularExpressions;

namespace Danbao.Domain.Tests;

/// <summary>
/// Reads the seed rows of migrations/0010_policy.sql (and of any later migration seeding policy
/// versions), so the tests run on exactly the data the database ships with (and fail if the SQL and
/// the C# catalog drift apart). Parameters added to the catalog before their migration exists are
/// listed in <see cref="PendingSeed"/> with the rows the migration must insert.
/// </summary>
public static partial class PolicySeed
{
    private static readonly Lazy<string> Sql = new(() => File.ReadAllText(FindMigration()));

    public static string SqlText => Sql.Value;

    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> VersionRows { get; } = ParseVersions();

    /// <summary>Seed rows every later migration adds (created_by 'seed:NNNN', NNNN ≠ 0010).</summary>
    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> LaterVersionRows { get; } = ParseLaterVersions();

    /// <summary>
    /// New parameters the domain reads whose seed migration the lead has not written yet: the rows
    /// it must insert. A row is used only while no migration seeds its key (then delete it here).
    /// </summary>
    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> PendingSeed { get; } =
    [
        (PolicyVersion.FromRow("CN:COUNTER_GUARANTEE_REQUIRED:2020-01-01", "COUNTER_GUARANTEE_REQUIRED", "CN", new DateOnly(2020, 1, 1), "true",
            "policy.md §3 [A]: enterprise loans and personal loans above the threshold need a counter-guarantee (fund's requirement, default required)"), "BOOL"),
        (PolicyVersion.FromRow("CN:SMALL_MICRO_STAFF_LIMIT:2020-01-01", "SMALL_MICRO_STAFF_LIMIT", "CN", new DateOnly(2020, 1, 1), "300",
            "工信部联企业〔2011〕300号 (industry) [R]: below 300 staff is small/micro; product default [A]"), "INT"),
        (PolicyVersion.FromRow("CN:SMALL_MICRO_REVENUE_LIMIT:2020-01-01", "SMALL_MICRO_REVENUE_LIMIT", "CN", new DateOnly(2020, 1, 1), "20000000.00",
            "工信部联企业〔2011〕300号 (industry) [R]: below 2000万元 revenue is small/micro; product default [A]"), "MONEY"),
    ];

    public static PolicyResolver Resolver { get; } = new(VersionRows.Concat(LaterVersionRows).Concat(PendingStillNeeded()).Select(r => r.Version));

    private static IEnumerable<(PolicyVersion Version, string KindCode)> PendingStillNeeded()
    {
        var seeded = VersionRows.Concat(LaterVersionRows).Select(r => r.Version.Key).ToHashSet();
        return PendingSeed.Where(p => !seeded.Contains(p.Version.Key));
    }

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

    private static List<(PolicyVersion, string)> ParseLaterVersions()
    {
        var dir = Path.GetDirectoryName(FindMigration())!;
        return Directory.GetFiles(dir, "*.sql").Where(f => string.CompareOrdinal(Path.GetFileName(f), "0010_policy.sql") > 0).Order(StringComparer.Ordinal)
            .SelectMany(f => LaterVersionRow().Matches(File.ReadAllText(f)))
            .Select(m => (PolicyVersion.FromRow(
                    m.Groups["id"].Value, m.Groups["key"].Value, m.Groups["region"].Value,
                    DateOnly.ParseExact(m.Groups["from"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    m.Groups["value"].Value, m.Groups["source"].Value.Replace("''", "'")),
                m.Groups["kind"].Value)).ToList();
    }

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

    [GeneratedRegex(@"^\s*\('(?<id>[^']+)', '(?<key>[A-Z0-9_]+)', '(?<region>[A-Z0-9-]+)', '(?<from>\d{4}-\d{2}-\d{2})', '(?<kind>[A-Z_]+)', '(?<value>[^']*)', '(?<source>(?:[^']|'')*)', 'seed:(?!0010)\d{4}'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex LaterVersionRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', (\d+(?:\.\d+)?), '([^']*)', 'seed:0010'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex LprRow();

    [GeneratedRegex(@"^\s*\((\d{4}), '国务院办公厅[^']*'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarYearRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', '(OFF|MAKEUP_WORK)', (\d{4})\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarDayRow();
}
