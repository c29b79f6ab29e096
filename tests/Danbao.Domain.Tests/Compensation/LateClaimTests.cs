using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>The bank files before the end of the quarter in which the loan became claimable (policy.md §6, §8).</summary>
public class LateClaimTests
{
    [Fact]
    public void A_loan_overdue_since_june_21_becomes_claimable_on_its_91st_overdue_day_september_19()
    {
        var claimable = LateClaim.ClaimableFrom(D("2025-06-21"), 90);
        Assert.Equal(D("2025-09-19"), claimable);
        Assert.Equal(91, OverdueDays.On(D("2025-06-21"), claimable));
        Assert.Equal(D("2025-09-30"), LateClaim.LastOnTimeDay(claimable));
    }

    [Theory]
    [InlineData("2025-09-19", "2025-09-19", false)]
    [InlineData("2025-09-19", "2025-09-30", false)]
    [InlineData("2025-09-19", "2025-10-01", true)]
    [InlineData("2025-10-01", "2025-12-31", false)]
    [InlineData("2025-12-31", "2026-01-01", true)]
    public void A_claim_filed_after_the_quarter_in_which_the_loan_became_claimable_is_late(string claimable, string filed, bool late) =>
        Assert.Equal(late, LateClaim.IsLate(D(claimable), D(filed)));

    [Fact]
    public void Filing_flags_a_late_claim_but_still_files_it()
    {
        var onTime = CompensationClaim.File(Filing(claimDate: D("2025-09-30")), PolicyOn(D("2025-09-30"))).Value.Data;
        Assert.False(onTime.FiledLate);
        var late = CompensationClaim.File(Filing(claimDate: D("2025-10-01")), PolicyOn(D("2025-10-01"))).Value.Data;
        Assert.True(late.FiledLate);
        Assert.Equal(D("2025-09-19"), late.ClaimableOn);
        Assert.Equal(CompensationClaimState.Filed, late.State);
    }

    [Fact]
    public void The_claimable_day_follows_the_overdue_minimum_in_force_on_the_claim_date()
    {
        var policy = With(PolicyParameters.ClaimOverdueDaysMin, "CN-GD-GZ", "2025-01-01", "60");
        var claim = CompensationClaim.File(Filing(claimDate: D("2025-09-25")), PolicyOn(D("2025-09-25"), policy)).Value.Data;
        Assert.Equal(D("2025-08-20"), claim.ClaimableOn);
        Assert.False(claim.FiledLate);
    }
}
