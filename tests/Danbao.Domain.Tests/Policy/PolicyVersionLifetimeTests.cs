using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>End dates and withdrawals in the resolver (policy.md §10).</summary>
public class PolicyVersionLifetimeTests
{
    private static PolicyVersion V(string region, string from, string value, string? to = null) =>
        PolicyVersion.TryCreate(PolicyParameters.PublicityLength, region, D(from), to is null ? null : D(to), value, "test").Value;

    private static string Governing(PolicyResolver r, string region, string on) =>
        r.Resolve(PolicyParameters.PublicityLength, new RegionCode(region), D(on)).Value.Version.Id;

    [Fact]
    public void Effective_to_is_the_last_day_in_force_inclusive()
    {
        var ending = V("CN-GD-GZ", "2026-01-01", "5", to: "2026-06-30");
        var r = new PolicyResolver([V("CN-GD", "2020-01-01", "3"), ending]);
        Assert.Equal(ending.Id, Governing(r, "CN-GD-GZ", "2026-06-30"));
        Assert.Equal("CN-GD:PUBLICITY_LENGTH:2020-01-01", Governing(r, "CN-GD-GZ", "2026-07-01"));
    }

    [Fact]
    public void A_version_past_its_end_gives_way_to_the_next_older_version_of_the_same_region()
    {
        var standing = V("CN-GD-GZ", "2024-01-01", "4");
        var temporary = V("CN-GD-GZ", "2026-01-01", "7", to: "2026-12-31");
        var r = new PolicyResolver([V("CN-GD", "2020-01-01", "3"), standing, temporary]);
        Assert.Equal(standing.Id, Governing(r, "CN-GD-GZ", "2025-12-31"));
        Assert.Equal(temporary.Id, Governing(r, "CN-GD-GZ", "2026-12-31"));
        Assert.Equal(standing.Id, Governing(r, "CN-GD-GZ", "2027-01-01"));
    }

    [Fact]
    public void A_withdrawn_version_never_governs_and_its_date_can_be_announced_again()
    {
        var announced = V("CN-GD-GZ", "2027-01-01", "5");
        var withdrawn = PolicyGovernance.CheckWithdrawal(PolicyWriter.Admin, announced, "typo", D("2026-12-01")).Value;
        var r = new PolicyResolver([V("CN-GD", "2020-01-01", "3"), withdrawn]);
        Assert.Equal("CN-GD:PUBLICITY_LENGTH:2020-01-01", Governing(r, "CN-GD-GZ", "2027-06-01"));
        Assert.Same(withdrawn, r.Find(announced.Id));

        var again = r.CheckNew(V("CN-GD-GZ", "2027-01-01", "4")).Value;
        Assert.Equal("CN-GD-GZ:PUBLICITY_LENGTH:2027-01-01:r2", again.Id);
        var r2 = new PolicyResolver([V("CN-GD", "2020-01-01", "3"), withdrawn, again]);
        Assert.Equal(again.Id, Governing(r2, "CN-GD-GZ", "2027-06-01"));
        Assert.Equal(ReasonCodes.PolicyVersionExists, r2.CheckNew(V("CN-GD-GZ", "2027-01-01", "6")).Refusal!.Code);
    }

    [Fact]
    public void Two_live_versions_for_one_date_cannot_be_loaded_but_a_withdrawn_one_beside_a_live_one_can()
    {
        var a = V("CN-GD-GZ", "2027-01-01", "5");
        Assert.Throws<ArgumentException>(() => new PolicyResolver([a, a.WithId(a.Id + ":r2")]));
        var withdrawn = a with { Withdrawal = new PolicyWithdrawal(PolicyWithdrawalKind.Superseded, "corrected", a.Id + ":r2") };
        Assert.Equal(a.Id + ":r2", Governing(new PolicyResolver([withdrawn, a.WithId(a.Id + ":r2")]), "CN-GD-GZ", "2027-01-01"));
    }

    [Fact]
    public void Counter_guarantee_exemption_up_to_10_wan_starts_2023_08_11_in_guangdong()
    {
        Money Threshold(RegionCode region, string on) => PolicySeed.Resolver.At(region, D(on)).CounterGuaranteeThreshold;
        Assert.Equal(Money.Zero, Threshold(RegionCode.Guangzhou, "2023-08-10"));
        Assert.Equal(Money.FromWholeYuan(100_000), Threshold(RegionCode.Guangzhou, "2023-08-11"));
        Assert.Equal(Money.Zero, Threshold(new RegionCode("CN-HN"), "2025-06-01"));
    }

    [Fact]
    public void Guangzhou_8_to_2_is_cited_from_2024_02_06_and_a_product_default_elsewhere()
    {
        var gz = PolicySeed.Resolver.Resolve(PolicyParameters.RiskShareFundBp, RegionCode.Guangzhou, D("2024-02-06")).Value.Version;
        Assert.Equal("CN-GD-GZ:RISK_SHARE_FUND_BP:2024-02-06", gz.Id);
        Assert.Contains("穗人社规字〔2024〕2号", gz.Source);
        var elsewhere = PolicySeed.Resolver.Resolve(PolicyParameters.RiskShareFundBp, RegionCode.Jiangmen, D("2025-06-01")).Value.Version;
        Assert.Equal("CN:RISK_SHARE_FUND_BP:2020-01-01:r2", elsewhere.Id);
        Assert.Contains("[A]", elsewhere.Source);
        Assert.Equal(8000m, elsewhere.Value.AsBp);
    }
}
