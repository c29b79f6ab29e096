namespace Danbao.Domain.Loans;

/// <summary>
/// Overdue days by business date: a loan whose first overdue day is D (the day after the missed
/// due date) is 1 day overdue on D and n days overdue on D + n − 1.
/// </summary>
public static class OverdueDays
{
    public static int On(DateOnly overdueSince, DateOnly businessDate) =>
        businessDate < overdueSince ? 0 : businessDate.DayNumber - overdueSince.DayNumber + 1;

    /// <summary>The first overdue day for a payment due on <paramref name="dueDate"/>.</summary>
    public static DateOnly FirstOverdueDay(DateOnly dueDate) => dueDate.AddDays(1);
}
