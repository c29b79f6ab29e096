using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class PolicyResolverTests
{
    private static readonly PolicyResolver Seed = PolicySeed.Resolver;

    [Theory]
    [InlineData("2020-04-15", "200000.00")]
    [InlineData("2023-09-30", "200000.00")]
    [InlineData("2023-10-01", "300000.00")]
    [InlineData("2025-06-01", "300000.00")]
    public void Individual_cap_follows_the_contract_date(string contractDate, string cap)
    {
        var resolved = Seed.Resolve(PolicyParameters.IndividualLoanCap, RegionCode.Guangzhou, D(contractDate)).Value;
        Assert.Equal(Money.Parse(cap), resolved.Value.AsMoney);
        Assert.Equal(RegionCode.National, resolved.Version.Region);
    }

    [Fact]
    public void Most_specific_region_with_a_version_in_force_wins()
    {
        var gz = Seed.Resolve(PolicyParameters.RiskShareFundHkMacauYouthBp, RegionCode.Guangzhou, D("2025-06-01")).Value;
        Assert.Equal(9000m, gz.Value.AsBp);
        Assert.Equal("CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06", gz.Version.Id);

        var consumer = Seed.Resolve(PolicyParameters.ConsumerLoanThreshold, RegionCode.Guangzhou, D("2025-06-01")).Value;
        Assert.Equal(Money.FromWholeYuan(100_000), consumer.Value.AsMoney);
        Assert.Equal(RegionCode.Guangdong, consumer.Version.Region);

        var national = Seed.Resolve(PolicyParameters.ConsumerLoanThreshold, new RegionCode("CN-HN"), D("2025-06-01")).Value;
        Assert.Equal(Money.FromWholeYuan(50_000), national.Value.AsMoney);
    }

    [Fact]
    public void A_regional_version_not_yet_in_force_falls_back_to_the_parent_region()
    {
        // Jiangmen's own publicity version starts 2024-07-26; before that Guangdong's default governs.
        var before = Seed.Resolve(PolicyParameters.PublicityLength, RegionCode.Jiangmen, D("2024-07-25")).Value;
        Assert.Equal(RegionCode.Guangdong, before.Version.Region);
        var after = Seed.Resolve(PolicyParameters.PublicityLength, RegionCode.Jiangmen, D("2024-07-26")).Value;
        Assert.Equal(RegionCode.Jiangmen, after.Version.Region);
    }

    [Fact]
    public void Missing_parameter_is_a_typed_refusal()
    {
        var result = Seed.Resolve(PolicyParameters.RateSpreadBp, new RegionCode("CN-HN"), D("2025-06-01"));
        Assert.False(result.IsOk);
        Assert.Equal(ReasonCodes.PolicyParameterMissing, result.Refusal!.Code);
        var early = Seed.Resolve(PolicyParameters.IndividualLoanCap, RegionCode.Guangzhou, D("2019-01-01"));
        Assert.Equal(ReasonCodes.PolicyParameterMissing, early.Refusal!.Code);
    }

    [Fact]
    public void Snapshot_records_every_version_it_reads()
    {
        var snapshot = Seed.At(RegionCode.Guangzhou, D("2025-06-01"));
        Assert.Equal(Money.FromWholeYuan(300_000), snapshot.IndividualCap);
        Assert.Equal(Rate.FromBp(50), snapshot.RateSpread);
        _ = snapshot.IndividualCap;
        Assert.Equal(new[] { "CN:INDIVIDUAL_LOAN_CAP:2023-10-01", "CN-GD:RATE_SPREAD_BP:2020-04-15" }, snapshot.Used.Select(v => v.Id));
    }

    [Fact]
    public void Snapshot_accessor_for_a_missing_parameter_throws_the_refusal()
    {
        var snapshot = Seed.At(new RegionCode("CN-HN"), D("2025-06-01"));
        var e = Assert.Throws<DomainRefusalException>(() => snapshot.RateSpread);
        Assert.Equal(ReasonCodes.PolicyParameterMissing, e.Refusal.Code);
    }

    [Fact]
    public void Duplicate_versions_are_refused_when_loading()
    {
        var v = PolicyVersion.FromRow("a", PolicyParameters.LeverageMultipleMax, "CN", D("2020-01-01"), "5", "x");
        var w = PolicyVersion.FromRow("b", PolicyParameters.LeverageMultipleMax, "CN", D("2020-01-01"), "6", "x");
        Assert.Throws<ArgumentException>(() => new PolicyResolver([v, w]));
    }

    [Theory]
    [InlineData(PolicyValueKind.Money, "100000.00", "100000.00")]
    [InlineData(PolicyValueKind.Money, "5", "5.00")]
    [InlineData(PolicyValueKind.BasisPoints, "172.5", "172.5")]
    [InlineData(PolicyValueKind.BasisPoints, "8000", "8000")]
    [InlineData(PolicyValueKind.Int, "36", "36")]
    [InlineData(PolicyValueKind.Bool, "false", "false")]
    [InlineData(PolicyValueKind.Enum, "WORKING_DAYS", "WORKING_DAYS")]
    public void Policy_values_parse_from_their_stored_text(PolicyValueKind kind, string text, string canonical) =>
        Assert.Equal(canonical, PolicyValue.Parse(kind, text).Text);

    [Theory]
    [InlineData(PolicyValueKind.Money, "100,000.00")]
    [InlineData(PolicyValueKind.Int, "-1")]
    [InlineData(PolicyValueKind.Int, "3.5")]
    [InlineData(PolicyValueKind.Bool, "True")]
    [InlineData(PolicyValueKind.Enum, "calendar_days")]
    [InlineData(PolicyValueKind.BasisPoints, "abc")]
    public void Malformed_policy_values_are_refused(PolicyValueKind kind, string text) =>
        Assert.Throws<FormatException>(() => PolicyValue.Parse(kind, text));

    [Fact]
    public void Enum_values_outside_the_parameter_list_are_refused() =>
        Assert.Throws<FormatException>(() => PolicyParameters.Get(PolicyParameters.PublicityUnit).Parse("HOURS"));
}
