using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>Overdue from dates: the status of a day and the ranges over a period tell the same story.</summary>
public class OverduePropertyTests
{
    private static readonly DateOnly Disbursed = RepaymentReplay.Disbursed;


    [Fact]
    public void Each_day_is_overdue_exactly_when_it_lies_in_an_overdue_range_and_counts_from_the_range_start() =>
        Prop.ForAll(
            Gen.ListOf(Gen.Zip(Gen.Choose(0, 400), Gen.Choose(1, 40_000))).Select(l => l.Take(12).ToArray()).ToArbitrary(),
            payments =>
            {
                var (loan, rows) = RepaymentReplay.Of(payments);
                var period = new DateRange(Disbursed, Disbursed.AddDays(420));
                var ranges = loan.OverdueRanges(period, rows);
                for (var day = period.Start; day < period.End; day = day.AddDays(7))
                {
                    var status = loan.OverdueAsOf(day, rows);
                    var range = ranges.Where(r => r.Contains(day)).Select(r => (DateRange?)r).SingleOrDefault();
                    if (status.IsOverdue != range.HasValue || (range is { } r && (status.OverdueSince != r.Start || status.OverdueDays != day.DayNumber - r.Start.DayNumber + 1)))
                        return false;
                    if (status.IsOverdue == status.Arrears.IsZero)
                        return false;
                }
                return true;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Paying_what_falls_due_on_each_due_date_is_never_overdue() =>
        Prop.ForAll(
            Gen.Choose(0, 8).ToArbitrary(),
            paidInstalments =>
            {
                var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10");
                var rows = new List<RecordedRepayment>();
                var plan = LoanPlan.Of(loan.Data);
                foreach (var due in plan.Take(paidInstalments))
                {
                    var from = loan.Data.InterestPaidToDate!.Value;
                    var allocation = loan.RecordRepayment(due.DueDate, loan.InterestDueOn(due.DueDate) + due.Principal).Value;
                    rows.Add(new RecordedRepayment(due.DueDate, allocation.Interest, allocation.Principal, from));
                }
                var lastPaid = paidInstalments == 0 ? Disbursed : plan[paidInstalments - 1].DueDate;
                var nextDue = paidInstalments < plan.Count ? plan[paidInstalments].DueDate : DateOnly.MaxValue.AddDays(-1);
                return loan.OverdueRanges(new DateRange(Disbursed, lastPaid.AddDays(1)), rows).Count == 0
                    && !loan.OverdueAsOf(nextDue, rows).IsOverdue;
            }).QuickCheckThrowOnFailure();
}
