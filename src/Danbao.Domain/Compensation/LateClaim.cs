namespace Danbao.Domain.Compensation;

/// <summary>
/// The filing deadline of a compensation claim (policy.md §6, §8 [V]): the bank files before the
/// end of the quarter in which the loan became claimable, i.e. first passed CLAIM_OVERDUE_DAYS_MIN
/// (90) overdue days. A claim filed later is still filed, but flagged late for the operator.
/// </summary>
public static class LateClaim
{
    /// <summary>
    /// The first day the loan is more than <paramref name="overdueDaysMin"/> days overdue: with the
    /// first overdue day S counted as day 1 (<see cref="OverdueDays"/>), that is S + min.
    /// </summary>
    public static DateOnly ClaimableFrom(DateOnly overdueSince, int overdueDaysMin)
    {
        if (overdueDaysMin < 0)
            throw new ArgumentOutOfRangeException(nameof(overdueDaysMin), overdueDaysMin, "overdue days cannot be negative");
        return overdueSince.AddDays(overdueDaysMin);
    }

    /// <summary>The last day a claim is on time: the last day of the quarter in which it became claimable.</summary>
    public static DateOnly LastOnTimeDay(DateOnly claimableOn) => ClaimQuarter.Of(claimableOn).End.AddDays(-1);

    /// <summary>True when <paramref name="filedOn"/> is after the quarter in which the loan became claimable.</summary>
    public static bool IsLate(DateOnly claimableOn, DateOnly filedOn) => filedOn > LastOnTimeDay(claimableOn);
}
