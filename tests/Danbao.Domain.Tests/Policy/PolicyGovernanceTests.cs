using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class PolicyGovernanceTests
{
    private static readonly DateOnly Today = D("2026-11-30");
    private static readonly PolicyWriter GuangdongBureau = PolicyWriter.FinanceBureauOf(RegionCode.Guangdong);
    private static readonly PolicyWriter GuangzhouBureau = PolicyWriter.FinanceBureauOf(RegionCode.Guangzhou);

    private static LprEntry Lpr(string from, decimal bp) => new(D(from), Rate.FromBp(bp), "PBOC");

    private static Result<PolicyVersion> Propose(PolicyWriter writer, string region, string from, string value = "50", string key = PolicyParameters.RateSpreadBp, string? to = null) =>
        PolicyGovernance.ProposeVersion(writer, key, region, D(from), to is null ? null : D(to), value, "test", Today, PolicySeed.Resolver);

    [Fact]
    public void Only_admin_sets_the_national_lpr()
    {
        Assert.Equal(ReasonCodes.LprAdminOnly, PolicyGovernance.CheckNewLpr(GuangzhouBureau, Lpr("2026-12-22", 295), Today, PolicySeed.Lpr).Refusal!.Code);
        Assert.Equal(ReasonCodes.LprAdminOnly, PolicyGovernance.CheckNewLpr(PolicyWriter.FinanceBureauOf(RegionCode.National), Lpr("2026-12-22", 295), Today, PolicySeed.Lpr).Refusal!.Code);
        Assert.Equal(ReasonCodes.LprAdminOnly, PolicyGovernance.CheckNewLpr(new PolicyWriter(PolicyWriterRole.Other, RegionCode.National), Lpr("2026-12-22", 295), Today, PolicySeed.Lpr).Refusal!.Code);
        Assert.True(PolicyGovernance.CheckNewLpr(PolicyWriter.Admin, Lpr("2026-12-22", 295), Today, PolicySeed.Lpr).IsOk);
    }

    [Fact]
    public void A_new_lpr_takes_effect_today_or_later()
    {
        var yesterday = PolicyGovernance.CheckNewLpr(PolicyWriter.Admin, Lpr("2026-11-29", 295), Today, PolicySeed.Lpr);
        Assert.Equal(ReasonCodes.EffectiveDateInPast, yesterday.Refusal!.Code);
        Assert.True(PolicyGovernance.CheckNewLpr(PolicyWriter.Admin, Lpr("2026-11-30", 295), Today, PolicySeed.Lpr).IsOk);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(0.01, true)]
    [InlineData(1999.99, true)]
    [InlineData(2000, false)]
    public void The_lpr_is_above_0_and_below_20_percent(decimal bp, bool accepted)
    {
        var result = PolicyGovernance.CheckNewLpr(PolicyWriter.Admin, Lpr("2026-12-22", bp), Today, PolicySeed.Lpr);
        Assert.Equal(accepted, result.IsOk);
        if (!accepted)
            Assert.Equal(ReasonCodes.PolicyValueOutOfRange, result.Refusal!.Code);
    }

    [Theory]
    [InlineData("CN-GD", true)]
    [InlineData("CN-GD-GZ", true)]
    [InlineData("CN-GD-SZ", true)]
    [InlineData("CN", false)]
    [InlineData("CN-HN", false)]
    [InlineData("CN-HN-CS", false)]
    public void A_provincial_finance_bureau_sets_its_province_and_the_cities_in_it(string region, bool allowed)
    {
        var result = PolicyGovernance.MayWriteRegion(GuangdongBureau, new RegionCode(region));
        Assert.Equal(allowed, result.IsOk);
        if (!allowed)
            Assert.Equal(ReasonCodes.RegionNotAllowed, result.Refusal!.Code);
    }

    [Theory]
    [InlineData("CN-GD-GZ", true)]
    [InlineData("CN-GD", false)] // parent
    [InlineData("CN-GD-SZ", false)] // sibling
    [InlineData("CN", false)]
    public void A_city_finance_bureau_sets_only_its_city(string region, bool allowed) =>
        Assert.Equal(allowed, PolicyGovernance.MayWriteRegion(GuangzhouBureau, new RegionCode(region)).IsOk);

    [Fact]
    public void National_parameters_are_admin_only_and_other_roles_write_no_policy()
    {
        Assert.Equal(ReasonCodes.RegionNotAllowed, PolicyGovernance.MayWriteRegion(PolicyWriter.FinanceBureauOf(RegionCode.National), RegionCode.National).Refusal!.Code);
        Assert.True(PolicyGovernance.MayWriteRegion(PolicyWriter.Admin, RegionCode.National).IsOk);
        Assert.True(PolicyGovernance.MayWriteRegion(PolicyWriter.Admin, RegionCode.Jiangmen).IsOk);
        Assert.Equal(ReasonCodes.PolicyWriteNotAllowed, PolicyGovernance.MayWriteRegion(new PolicyWriter(PolicyWriterRole.Other, RegionCode.Guangzhou), RegionCode.Guangzhou).Refusal!.Code);
    }

    [Fact]
    public void A_finance_bureau_cannot_write_another_provinces_version()
    {
        Assert.Equal(ReasonCodes.RegionNotAllowed, Propose(GuangdongBureau, "CN-HN", "2027-01-01").Refusal!.Code);
        Assert.True(Propose(GuangdongBureau, "CN-GD-SZ", "2027-01-01").IsOk);
    }

    [Fact]
    public void Policy_versions_cannot_be_backdated()
    {
        var backdated = Propose(PolicyWriter.Admin, "CN-GD-SZ", "2026-11-29");
        Assert.Equal(ReasonCodes.EffectiveDateInPast, backdated.Refusal!.Code);
        Assert.Equal("effective_from", backdated.Refusal.Details["field"]);
        Assert.Equal(ReasonCodes.EffectiveDateInPast, Propose(PolicyWriter.Admin, "CN", "2020-01-01", "300000.00", PolicyParameters.IndividualLoanCap).Refusal!.Code);
        Assert.True(Propose(PolicyWriter.Admin, "CN-GD-SZ", "2026-11-30").IsOk);
    }

    [Fact]
    public void A_new_version_is_range_checked_on_write()
    {
        var negativeCap = Propose(PolicyWriter.Admin, "CN", "2027-01-01", "-1.00", PolicyParameters.IndividualLoanCap);
        Assert.Equal(ReasonCodes.PolicyValueOutOfRange, negativeCap.Refusal!.Code);
        Assert.Equal("value", negativeCap.Refusal.Details["field"]);
        Assert.Contains(PolicyParameters.IndividualLoanCap, negativeCap.Refusal.Message);
        var zeroLeverage = Propose(GuangdongBureau, "CN-GD", "2027-01-01", "0", PolicyParameters.LeverageMultipleMax);
        Assert.Equal(ReasonCodes.PolicyValueOutOfRange, zeroLeverage.Refusal!.Code);
        Assert.Contains("LEVERAGE_MULTIPLE_MAX must be 1 … 30", zeroLeverage.Refusal.Message);
    }

    [Fact]
    public void A_version_cannot_end_before_it_starts()
    {
        var r = Propose(PolicyWriter.Admin, "CN-GD-SZ", "2027-01-01", to: "2026-12-31");
        Assert.Equal(ReasonCodes.PolicyEndBeforeStart, r.Refusal!.Code);
        Assert.Equal(D("2027-01-01"), Propose(PolicyWriter.Admin, "CN-GD-SZ", "2027-01-01", to: "2027-01-01").Value.EffectiveTo);
    }

    [Fact]
    public void A_future_version_can_be_withdrawn_with_a_reason_before_it_takes_effect()
    {
        var future = Propose(GuangzhouBureau, "CN-GD-GZ", "2027-01-01").Value;
        var withdrawn = PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, "  announced by mistake ", D("2026-12-31")).Value;
        Assert.Equal(PolicyWithdrawalKind.Withdrawn, withdrawn.Withdrawal!.Kind);
        Assert.Equal("announced by mistake", withdrawn.Withdrawal.Reason);

        Assert.Equal(ReasonCodes.PolicyVersionAlreadyEffective, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, "late", D("2027-01-01")).Refusal!.Code);
        Assert.Equal(ReasonCodes.PolicyVersionAlreadyEffective, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, "late", D("2027-03-01")).Refusal!.Code);
        Assert.Equal(ReasonCodes.WithdrawalReasonRequired, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, " \u200B ", Today).Refusal!.Code);
        Assert.Equal(ReasonCodes.WithdrawalReasonRequired, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, "", Today).Refusal!.Code);
        Assert.Equal(ReasonCodes.PolicyVersionAlreadyWithdrawn, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, withdrawn, "again", Today).Refusal!.Code);
        Assert.Equal(ReasonCodes.RegionNotAllowed, PolicyGovernance.CheckWithdrawal(PolicyWriter.FinanceBureauOf(RegionCode.Shenzhen), future, "not mine", Today).Refusal!.Code);
        Assert.Equal(ReasonCodes.TextInvalid, PolicyGovernance.CheckWithdrawal(GuangzhouBureau, future, "bad\0reason", Today).Refusal!.Code);
    }

    [Fact]
    public void A_seeded_version_already_in_force_cannot_be_withdrawn()
    {
        var cap = PolicySeed.Resolver.Find("CN:INDIVIDUAL_LOAN_CAP:2023-10-01")!;
        Assert.Equal(ReasonCodes.PolicyVersionAlreadyEffective, PolicyGovernance.CheckWithdrawal(PolicyWriter.Admin, cap, "changed my mind", Today).Refusal!.Code);
    }
}
