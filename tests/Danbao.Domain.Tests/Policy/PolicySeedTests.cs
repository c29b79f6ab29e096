
namespace Danbao.Domain.Tests;

public class PolicySeedTests
{
    [Fact]
    public void Every_catalog_parameter_is_seeded_and_every_seed_row_parses_with_its_catalog_kind()
    {
        var rows = PolicySeed.VersionRows;
        Assert.Equal(37, rows.Count);
        foreach (var (version, kindCode) in rows)
        {
            Assert.Equal(PolicyParameters.Get(version.Key).Kind, PolicyValueKindCodes.FromCode(kindCode));
            Assert.Equal($"{version.Region}:{version.Key}:{version.EffectiveFrom:yyyy-MM-dd}", version.Id);
        }
        var seeded = rows.Concat(PolicySeed.LaterVersionRows).Concat(PolicySeed.PendingSeed).Select(r => r.Version.Key).ToHashSet();
        Assert.All(PolicyParameters.All, p => Assert.Contains(p.Key, seeded));
    }

    [Fact]
    public void Pending_seed_rows_parse_with_their_catalog_kind_and_are_not_yet_migrated()
    {
        var migrated = PolicySeed.VersionRows.Concat(PolicySeed.LaterVersionRows).Select(r => r.Version.Key).ToHashSet();
        foreach (var (version, kindCode) in PolicySeed.PendingSeed)
        {
            Assert.Equal(PolicyParameters.Get(version.Key).Kind, PolicyValueKindCodes.FromCode(kindCode));
            Assert.Equal($"{version.Region}:{version.Key}:{version.EffectiveFrom:yyyy-MM-dd}", version.Id);
            // Once a migration seeds the key, delete its pending row (the migration is the truth).
            Assert.DoesNotContain(version.Key, migrated);
        }
    }

    [Fact]
    public void Seed_holds_the_lpr_history_and_four_calendar_years()
    {
        Assert.Equal(13, PolicySeed.Lpr.Entries.Count);
        Assert.Equal(new[] { 2023, 2024, 2025, 2026 }, PolicySeed.CalendarYears);
    }

    [Fact]
    public void Migration_makes_policy_history_append_only()
    {
        var sql = PolicySeed.SqlText;
        Assert.Contains("before update or delete on policy_versions", sql);
        Assert.Contains("before update or delete on lpr_rates", sql);
        Assert.Contains("unique (parameter_key, region_code, effective_from)", sql);
    }
}
