
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
        var seeded = rows.Concat(PolicySeed.CorrectionRows).Select(r => r.Version.Key).ToHashSet();
        Assert.All(PolicyParameters.All, p => Assert.Contains(p.Key, seeded));
    }

    [Fact]
    public void The_new_rules_parameters_are_seeded_by_migration_0061_with_their_catalog_kind()
    {
        var seeded = PolicySeed.CorrectionRows.Where(r => r.Version.Source.Length > 0).ToList();
        foreach (var key in new[] { PolicyParameters.CounterGuaranteeRequired, PolicyParameters.SmallMicroStaffLimit,
                     PolicyParameters.SmallMicroRevenueLimit, PolicyParameters.RiskShareGovernmentGuarantorBp })
        {
            var (version, kind) = Assert.Single(seeded, r => r.Version.Key == key);
            Assert.Equal(PolicyParameters.Get(key).Kind, PolicyValueKindCodes.FromCode(kind));
        }
    }

    [Fact]
    public void Every_shipped_version_is_within_its_parameters_range()
    {
        foreach (var version in PolicySeed.Versions.Where(v => !v.IsWithdrawn))
            Assert.True(PolicyValueRanges.Check(version).IsOk, version.ToString());
    }

    [Fact]
    public void Corrections_supersede_old_rows_with_a_reason_and_a_live_replacement()
    {
        Assert.Equal(5 + 5, PolicySeed.CorrectionRows.Count); // 0060's corrections and 0061's new parameters
        Assert.Equal(3, PolicySeed.Withdrawals.Count);
        foreach (var (id, withdrawal) in PolicySeed.Withdrawals)
        {
            Assert.Contains(PolicySeed.VersionRows, r => r.Version.Id == id);
            Assert.Equal(PolicyWithdrawalKind.Superseded, withdrawal.Kind);
            Assert.Contains("policy.md", withdrawal.Reason);
            var replacement = PolicySeed.Resolver.Find(withdrawal.ReplacedById!);
            Assert.False(replacement!.IsWithdrawn);
        }
        foreach (var (version, kindCode) in PolicySeed.CorrectionRows)
            Assert.Equal(PolicyParameters.Get(version.Key).Kind, PolicyValueKindCodes.FromCode(kindCode));
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
        // 0060 trades that constraint for "one live version per date" and keeps withdrawals append-only.
        var governance = PolicySeed.GovernanceSqlText;
        Assert.Contains("create constraint trigger policy_versions_one_live_per_date", governance);
        Assert.Contains("before update or delete on policy_version_withdrawals", governance);
        Assert.DoesNotContain("update policy_versions", governance);
        Assert.DoesNotContain("delete from policy_versions", governance);
    }
}
