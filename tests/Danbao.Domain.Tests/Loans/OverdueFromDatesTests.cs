using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>policy.md §5: overdue is a fact of dates (plan and repayments), not of a batch.</summary>
public class OverdueFromDatesTests
{
    private static PolicySnapshot Policy(string on) => PolicySeed.Resolver.At(RegionCode.Guangzhou, D(on));

    /// <summary>Records a repayment through the aggregate and keeps the row the server stores in loan_repayments.</summary>
    private static void Pay(Loan loan, List<RecordedRepayment> rows, string on, Money amount)
    {
        var from = loan.Data.InterestPaidToDate!.Value;
        var allocation = loan.RecordRepayment(D(on), amount);
        LoanBuilder.Ok(allocation);
        rows.Add(new RecordedRepayment(D(on), allocation.Value.Interest, allocation.Value.Principal, from));
    }

    [Fact]
    public void H1_interest_due_06_20_paid_07_03_is_overdue_06_21_to_07_02_for_12_days()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        var before = loan.OverdueAsOf(D("2025-07-02"), rows);
        Assert.True(before.IsOverdue);
        Assert.Equal(D("2025-06-21"), before.OverdueSince);
        Assert.Equal(D("2025-06-20"), before.FirstMissedDueDate);
        Assert.Equal(12, before.OverdueDays);
        Assert.Equal(Money.Parse("194.44"), before.InterestArrears);   // 200,000 × 3.50% × 10/360
        Assert.Equal(Money.Zero, before.PrincipalArrears);
        Assert.Equal(LoanState.Current, loan.State);                      // no batch ran: the figures do not care

        Pay(loan, rows, "2025-07-03", loan.InterestDueOn(D("2025-07-03")));
        Assert.False(loan.OverdueAsOf(D("2025-07-03"), rows).IsOverdue);
        var range = Assert.Single(loan.OverdueRanges(Range("2025-06-10", "2025-09-20"), rows));
        Assert.Equal(Range("2025-06-21", "2025-07-03"), range);
        Assert.Equal(12, range.Days);
    }

    [Fact]
    public void Nothing_is_overdue_on_the_due_date_itself_and_day_one_is_the_day_after()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        Assert.False(loan.OverdueAsOf(D("2025-06-20"), []).IsOverdue);
        Assert.Equal(1, loan.OverdueAsOf(D("2025-06-21"), []).OverdueDays);
    }

    [Fact]
    public void Arrears_are_the_principal_instalments_and_interest_due_and_unpaid()
    {
        // Equal principal over 9 payment dates: 22,222.22 each; nothing paid by 2025-09-21.
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10");
        var status = loan.OverdueAsOf(D("2025-09-21"), []);
        Assert.Equal(Money.Parse("44444.44"), status.PrincipalArrears);
        Assert.Equal(Money.Parse("1983.33"), status.InterestArrears);    // 200,000 × 3.50% × 102/360
        Assert.Equal(Money.Parse("46427.77"), status.Arrears);
        Assert.Equal(D("2025-06-21"), status.OverdueSince);
        Assert.Equal(93, status.OverdueDays);
    }

    [Fact]
    public void A_partial_payment_leaves_the_rest_as_arrears()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        Pay(loan, rows, "2025-06-20", Money.Parse("100.00"));
        var status = loan.OverdueAsOf(D("2025-06-21"), rows);
        Assert.Equal(Money.Parse("94.44"), status.InterestArrears);
        Assert.Equal(D("2025-06-21"), status.OverdueSince);
    }

    [Fact]
    public void Paying_in_full_on_the_due_date_is_never_overdue()
    {
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        foreach (var due in new[] { "2025-06-20", "2025-09-20", "2025-12-20" })
            Pay(loan, rows, due, loan.InterestDueOn(D(due)) + Money.Parse("22222.22"));
        Assert.Empty(loan.OverdueRanges(Range("2025-06-10", "2026-03-20"), rows));
        Assert.False(loan.OverdueAsOf(D("2026-03-20"), rows).IsOverdue);
        Assert.True(loan.OverdueAsOf(D("2026-03-21"), rows).IsOverdue);
    }

    [Fact]
    public void Overdue_days_earn_no_subsidy_from_the_derived_ranges()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        Pay(loan, rows, "2025-07-03", loan.InterestDueOn(D("2025-07-03")));
        var period = Range("2025-06-20", "2025-09-20");
        var request = new SubsidyRequest(RegionCode.Guangzhou, PrincipalTimeline.Disbursed(D("2025-06-10"), Examples.Principal),
            Examples.ContractRate, D("2025-06-01"), D("2025-06-10"), period, loan.SubsidyExclusions(period, rows));
        Assert.Equal(92 - 12, SubsidyCalculator.Calculate(request, PolicySeed.Resolver, PolicySeed.Lpr).Value.SubsidisedDays);
    }

    [Fact]
    public void Sync_marks_overdue_from_the_first_overdue_day_and_cures_on_the_payment_day_however_late_it_runs()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        var marked = loan.SyncOverdue(D("2025-07-01"), rows);          // the batch ran 10 days late
        Assert.True(marked.StateChanged);
        Assert.Equal(LoanState.Overdue, loan.State);
        Assert.Equal(D("2025-06-21"), loan.Data.OverdueSinceDate);

        Pay(loan, rows, "2025-07-03", loan.InterestDueOn(D("2025-07-03")));
        var cured = loan.SyncOverdue(D("2025-07-10"), rows);           // and a week late again
        Assert.Equal(LoanState.Overdue, cured.Before);
        Assert.Equal(LoanState.Current, loan.State);
        Assert.Null(loan.Data.OverdueSinceDate);
        Assert.Equal(new[] { Range("2025-06-21", "2025-07-03") }, loan.Data.OverdueHistory);
        Assert.False(loan.SyncOverdue(D("2025-07-11"), rows).StateChanged);
    }

    [Fact]
    public void A_loan_no_batch_marked_can_be_claimed_after_more_than_90_days_overdue()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        Assert.Equal(LoanState.Current, loan.State);
        Assert.Equal(90, loan.OverdueDaysOn(D("2025-09-18"), []));
        Assert.Equal(ReasonCodes.NotOverdueLongEnough, loan.FileClaim(D("2025-09-18"), Policy("2025-09-18"), []).Refusal!.Code);
        Assert.Equal(LoanState.Current, loan.State);
        Assert.True(loan.FileClaim(D("2025-09-19"), Policy("2025-09-19"), []).IsOk);
        Assert.Equal(LoanState.Claimed, loan.State);
        Assert.Equal(D("2025-06-21"), loan.Data.OverdueSinceDate);
    }

    [Fact]
    public void A_loan_whose_arrears_were_paid_cannot_be_claimed_even_if_the_cache_says_overdue()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        LoanBuilder.Ok(loan.MarkOverdue(D("2025-06-21")));
        Pay(loan, rows, "2025-07-03", loan.InterestDueOn(D("2025-07-03")));
        Assert.Equal(ReasonCodes.IllegalTransition, loan.FileClaim(D("2025-09-19"), Policy("2025-09-19"), rows).Refusal!.Code);
        Assert.Equal(LoanState.Overdue, loan.State);
    }

    [Fact]
    public void Repayments_before_disbursement_are_refused_as_input()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        Assert.Throws<ArgumentException>(() => loan.OverdueAsOf(D("2025-07-01"),
            [new RecordedRepayment(D("2025-06-01"), Money.Zero, Money.FromWholeYuan(1), D("2025-06-01"))]));
    }

    /// <summary>
    /// The overdue ranges (one sweep over due dates and repayments) are the runs of days that are overdue each on its
    /// own (<see cref="Loan.OverdueAsOf"/>), and each day's interest arrears are the interest accrued to its last due
    /// date less what was paid, whatever the payments: early, late, short, on the due date, several a day.
    /// </summary>
    [Fact]
    public void Overdue_ranges_are_the_runs_of_days_each_judged_overdue_on_its_own() =>
        Prop.ForAll(
            (from equalPrincipal in Gen.Elements(false, true)
             from payments in Gen.ListOf(Gen.Zip(Gen.Choose(0, 420), Gen.Choose(0, 3)))
             select (equalPrincipal, payments)).ToArbitrary(),
            t =>
            {
                var builder = LoanBuilder.Individual().Guangzhou();
                var loan = (t.equalPrincipal ? builder.EqualPrincipal() : builder).Disbursed("2025-06-10");
                var rows = new List<RecordedRepayment>();
                // Day offsets from disbursement, in order; the kind: 0 short (half the interest due), 1 the interest due,
                // 2 the interest due and 10,000.00 of principal, 3 the interest due and a year's principal instalment.
                foreach (var (offset, kind) in t.payments.OrderBy(p => p.Item1).Take(12))
                {
                    var on = D("2025-06-10").AddDays(offset + 1);
                    if (loan.State is not (LoanState.Current or LoanState.Overdue or LoanState.Extended) || on < loan.Data.InterestPaidToDate)
                        continue;
                    var due = loan.InterestDueOn(on);
                    var amount = kind switch
                    {
                        0 => Money.FromFen(Math.Max(1, due.Fen / 2)),
                        1 => due,
                        2 => due + Money.Parse("10000.00"),
                        _ => due + Money.Parse("22222.22"),
                    };
                    if (amount.IsZero || amount > due + loan.Data.OutstandingPrincipal)
                        continue;
                    Pay(loan, rows, on.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), amount);
                }
                // Interest arrears on a day, as policy.md §5 states them: the normal interest accrued to the last due date
                // before the day (rounded at each repayment before it), less the interest paid up to and on the day.
                var plan = LoanPlan.Of(loan.Data);
                Money InterestArrears(DateOnly day)
                {
                    var dueDates = plan.Where(p => p.DueDate < day).ToArray();
                    if (dueDates.Length == 0)
                        return Money.Zero;
                    var until = dueDates[^1].DueDate;
                    var (from, principal, accrued) = (D("2025-06-10"), loan.Data.Amount, Money.Zero);
                    foreach (var r in rows.Where(r => r.PaidOn <= until))
                    {
                        accrued += InterestCalculator.AccrueRounded(principal, loan.Data.ContractRate, new DateRange(from, r.PaidOn));
                        (from, principal) = (r.PaidOn, principal - r.Principal);
                    }
                    accrued += InterestCalculator.AccrueRounded(principal, loan.Data.ContractRate, new DateRange(from, until));
                    return Money.Max(Money.Zero, accrued - Money.Sum(rows.Where(r => r.PaidOn <= day).Select(r => r.Interest)));
                }
                var period = Range("2025-06-10", "2026-09-01");
                var expected = new List<DateRange>();
                DateOnly? start = null;
                for (var day = period.Start; day <= period.End; day = day.AddDays(1))
                {
                    var status = loan.OverdueAsOf(day, rows);
                    if (status.InterestArrears != InterestArrears(day))
                        return false;
                    var overdue = day < period.End && !status.Arrears.IsZero;
                    if (start is { } from && !overdue)
                    {
                        expected.Add(new DateRange(from, day));
                        start = null;
                    }
                    else if (start is null && overdue)
                    {
                        start = day;
                    }
                }
                return loan.OverdueRanges(period, rows).SequenceEqual(expected);
            }).QuickCheckThrowOnFailure();
}

/// <summary>policy.md §3: extension (展期) is open to an overdue borrower, whose arrears stay due.</summary>
public class OverdueExtensionTests
{
    private static PolicySnapshot Policy(string on) => PolicySeed.Resolver.At(RegionCode.Guangzhou, D(on));

    [Fact]
    public void An_overdue_borrower_can_be_extended_and_the_arrears_stay_due()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        loan.SyncOverdue(D("2025-07-01"), []);
        Assert.Equal(LoanState.Overdue, loan.State);
        Assert.True(loan.Extend(D("2025-07-01"), 12, Policy("2025-07-01")).IsOk);
        Assert.Equal(LoanState.Overdue, loan.State);
        Assert.Equal(D("2028-06-10"), loan.Data.MaturityDate);
        var status = loan.OverdueAsOf(D("2025-07-01"), []);
        Assert.Equal(D("2025-06-21"), status.OverdueSince);
        Assert.Equal(Money.Parse("194.44"), status.InterestArrears);

        // Arrears paid: the loan leaves OVERDUE for EXTENDED.
        var paid = new RecordedRepayment(D("2025-07-03"), loan.InterestDueOn(D("2025-07-03")), Money.Zero, D("2025-06-10"));
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-07-03"), paid.Interest));
        loan.SyncOverdue(D("2025-07-03"), [paid]);
        Assert.Equal(LoanState.Extended, loan.State);
    }

    [Fact]
    public void Extension_moves_the_principal_due_at_maturity_not_the_earlier_instalments()
    {
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10");
        Assert.True(loan.Extend(D("2025-07-01"), 12, Policy("2025-07-01")).IsOk);
        var plan = LoanPlan.Of(loan.Data);
        Assert.Equal(Money.Parse("22222.22"), plan.Single(p => p.DueDate == D("2025-09-20")).Principal);
        Assert.DoesNotContain(plan, p => p.DueDate == D("2027-06-10"));
        Assert.Equal(D("2028-06-10"), plan[^1].DueDate);
        Assert.Equal(Money.Parse("22222.24"), plan[^1].Principal);
        Assert.Equal(Examples.Principal, Money.Sum(plan.Select(p => p.Principal)));
        // Nothing paid: the 2025-09-20 instalment is in arrears whatever the extension.
        Assert.Equal(Money.Parse("44444.44"), loan.OverdueAsOf(D("2025-09-21"), []).PrincipalArrears);
    }

    [Fact]
    public void A_bullet_loan_extended_is_not_overdue_at_its_old_maturity()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        Assert.True(loan.Extend(D("2027-05-01"), 6, Policy("2027-05-01")).IsOk);
        var rows = new List<RecordedRepayment>();
        var paidTo = D("2025-06-10");
        foreach (var due in LoanPlan.Of(loan.Data).Where(p => p.DueDate < D("2027-12-10")))
        {
            var interest = loan.InterestDueOn(due.DueDate);
            LoanBuilder.Ok(loan.RecordRepayment(due.DueDate, interest));
            rows.Add(new RecordedRepayment(due.DueDate, interest, Money.Zero, paidTo));
            paidTo = due.DueDate;
        }
        Assert.False(loan.OverdueAsOf(D("2027-06-11"), rows).IsOverdue);
        Assert.False(loan.OverdueAsOf(D("2027-12-10"), rows).IsOverdue);
        Assert.True(loan.OverdueAsOf(D("2027-12-11"), rows).IsOverdue);
        Assert.Equal(Examples.Principal, loan.OverdueAsOf(D("2027-12-11"), rows).PrincipalArrears);
    }
}
