using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class RepaymentScheduleTests
{
    [Fact]
    public void Interest_settles_on_the_20th_of_march_june_september_december()
    {
        Assert.Equal(D("2025-06-20"), InterestDates.NextSettlementAfter(D("2025-06-01")));
        Assert.Equal(D("2025-09-20"), InterestDates.NextSettlementAfter(D("2025-06-20")));
        Assert.Equal(D("2026-03-20"), InterestDates.NextSettlementAfter(D("2025-12-20")));
        Assert.Equal(D("2025-12-20"), InterestDates.NextSettlementAfter(D("2025-10-01")));
    }

    [Fact]
    public void Bullet_schedule_pays_interest_quarterly_and_principal_at_maturity()
    {
        var schedule = RepaymentSchedule.Build(RepaymentMethod.Bullet, Examples.Principal, Examples.ContractRate, D("2025-06-20"), 24);
        Assert.Equal(D("2025-09-20"), schedule[0].DueDate);
        Assert.Equal("1,788.89", schedule[0].Interest.ToString());
        Assert.Equal(D("2027-06-20"), schedule[^1].DueDate);
        Assert.Equal(8, schedule.Count);
        Assert.All(schedule.SkipLast(1), p => Assert.Equal(Money.Zero, p.Principal));
        Assert.Equal(Examples.Principal, schedule[^1].Principal);
        // Contiguous periods covering disbursement to maturity: 730 days.
        Assert.Equal(730, schedule.Sum(p => p.InterestPeriod.Days));
    }

    [Fact]
    public void Equal_principal_schedule_repays_equal_parts_with_the_odd_fen_last()
    {
        var schedule = RepaymentSchedule.Build(RepaymentMethod.EqualPrincipal, Money.Parse("100000.00"), Examples.ContractRate, D("2025-06-01"), 12);
        // Dates: 06-20, 09-20, 12-20, 2026-03-20, and maturity 2026-06-01.
        Assert.Equal(5, schedule.Count);
        Assert.Equal(Money.Parse("20000.00"), schedule[0].Principal);
        Assert.Equal(Money.Parse("100000.00"), Money.Sum(schedule.Select(p => p.Principal)));
        Assert.Equal(Money.Zero, schedule[^1].PrincipalAfter);
        Assert.True(schedule[2].Interest < schedule[1].Interest);
        var odd = RepaymentSchedule.Build(RepaymentMethod.EqualPrincipal, Money.Parse("100000.01"), Examples.ContractRate, D("2025-06-01"), 12);
        Assert.Equal(Money.Parse("20000.01"), odd[^1].Principal);
    }

    [Fact]
    public void Repayment_allocation_pays_interest_before_principal()
    {
        var a = RepaymentAllocation.Allocate(Money.Parse("500.00"), Money.Parse("1788.89"), Examples.Principal).Value;
        Assert.Equal((Money.Parse("500.00"), Money.Zero), (a.Interest, a.Principal));
        var b = RepaymentAllocation.Allocate(Money.Parse("5000.00"), Money.Parse("1788.89"), Examples.Principal).Value;
        Assert.Equal((Money.Parse("1788.89"), Money.Parse("3211.11")), (b.Interest, b.Principal));
    }

    [Theory]
    [InlineData("2025-09-20", 0)]
    [InlineData("2025-09-21", 1)]
    [InlineData("2025-12-19", 90)]
    [InlineData("2025-12-20", 91)]
    public void Overdue_days_count_from_the_day_after_the_missed_due_date(string on, int days) =>
        Assert.Equal(days, OverdueDays.On(OverdueDays.FirstOverdueDay(D("2025-09-20")), D(on)));
}
