using System.Globalization;
using System.Text.RegularExpressions;

namespace Danbao.Domain.Tests;

/// <summary>
/// Reads the seed rows of migrations/0010_policy.sql and the corrections of
/// migrations/0060_policy_version_governance.sql and the new parameters of 0061, so the tests run on exactly the data the
/// database ships with (and fail if the SQL and the C# catalog drift apart).
/// </summary>
public static partial class PolicySeed
{
    private static readonly Lazy<string> Sql = new(() => File.ReadAllText(FindMigration("0010_policy.sql")));
    private static readonly Lazy<string> GovernanceSql = new(() => File.ReadAllText(FindMigration("0060_policy_version_governance.sql"))
        + File.ReadAllText(FindMigration("0061_policy_parameters_for_new_rules.sql")));

    public static string SqlText => Sql.Value;

    public static string GovernanceSqlText => GovernanceSql.Value;

    /// <summary>The rows of 0010, as inserted (before any correction).</summary>
    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> VersionRows { get; } = ParseVersions();

    /// <summary>The rows 0060 adds, with their end dates.</summary>
    public static IReadOnlyList<(PolicyVersion Version, string KindCode)> CorrectionRows { get; } = ParseCorrections();

    /// <summary>0060's policy_version_withdrawals rows by version id.</summary>
    public static IReadOnlyDictionary<string, PolicyWithdrawal> Withdrawals { get; } = WithdrawalRow().Matches(GovernanceSqlText)
        .ToDictionary(m => m.Groups["id"].Value, m => PolicyWithdrawal.FromRow(m.Groups["kind"].Value, m.Groups["reason"].Value.Replace("''", "'"), m.Groups["by"].Value));

    /// <summary>Every version the database holds after all migrations, withdrawals applied.</summary>
    public static IReadOnlyList<PolicyVersion> Versions { get; } = VersionRows.Concat(CorrectionRows)
        .Select(r => Withdrawals.TryGetValue(r.Version.Id, out var w) ? r.Version with { Withdrawal = w } : r.Version).ToArray();

    public static PolicyResolver Resolver { get; } = new(Versions);

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

    private static List<(PolicyVersion, string)> ParseCorrections() =>
        CorrectionRow().Matches(GovernanceSqlText).Select(m => (PolicyVersion.FromRow(
                m.Groups["id"].Value, m.Groups["key"].Value, m.Groups["region"].Value,
                DateOnly.ParseExact(m.Groups["from"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                m.Groups["to"].Success ? DateOnly.ParseExact(m.Groups["to"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                m.Groups["value"].Value, m.Groups["source"].Value.Replace("''", "'"), null),
            m.Groups["kind"].Value)).ToList();

    private static string FindMigration(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "migrations", name);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"migrations/{name} not found above the test directory");
    }

    [GeneratedRegex(@"^\s*\('(?<id>[^']+)', '(?<key>[A-Z0-9_]+)', '(?<region>[A-Z0-9-]+)', '(?<from>\d{4}-\d{2}-\d{2})', (?:'(?<to>\d{4}-\d{2}-\d{2})'|null), '(?<kind>[A-Z_]+)', '(?<value>[^']*)', '(?<source>(?:[^']|'')*)', 'seed:006[01]'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CorrectionRow();

    [GeneratedRegex(@"^\s*\('(?<id>[^']+)', '(?<kind>WITHDRAWN|SUPERSEDED)', '(?<reason>(?:[^']|'')*)', '(?<by>[^']+)', 'seed:0060'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex WithdrawalRow();

    [GeneratedRegex(@"^\s*\('(?<id>[^']+)', '(?<key>[A-Z0-9_]+)', '(?<region>[A-Z0-9-]+)', '(?<from>\d{4}-\d{2}-\d{2})', '(?<kind>[A-Z_]+)', '(?<value>[^']*)', '(?<source>(?:[^']|'')*)', 'seed:0010'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex VersionRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', (\d+(?:\.\d+)?), '([^']*)', 'seed:0010'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex LprRow();

    [GeneratedRegex(@"^\s*\((\d{4}), '国务院办公厅[^']*'\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarYearRow();

    [GeneratedRegex(@"^\s*\('(\d{4}-\d{2}-\d{2})', '(OFF|MAKEUP_WORK)', (\d{4})\)[,;]\s*$", RegexOptions.Multiline)]
    private static partial Regex CalendarDayRow();
}
