namespace Danbao.Domain.Compensation;

/// <summary>
/// Write-off (呆账核销): allowed WRITE_OFF_WAIT_MONTHS (24) after compensation, or earlier when the
/// debt is proven uncollectable (policy.md §6). Governed by the write-off date.
/// </summary>
public static class WriteOffEligibility
{
    public static Result<Unit> Check(DateOnly compensatedOn, DateOnly writeOffOn, bool provenUncollectable, PolicySnapshot policyOnWriteOffDate)
    {
        ArgumentNullException.ThrowIfNull(policyOnWriteOffDate);
        if (provenUncollectable)
            return Unit.Value;
        return PolicyDecision.Run<Unit>(() =>
        {
            var months = policyOnWriteOffDate.WriteOffWaitMonths;
            var earliest = compensatedOn.AddMonths(months);
            return writeOffOn >= earliest
                ? Unit.Value
                : new Refusal(ReasonCodes.WriteOffTooEarly,
                    $"write-off without proof of uncollectability is possible from {earliest:yyyy-MM-dd} ({months} months after compensation on {compensatedOn:yyyy-MM-dd})",
                    policyOnWriteOffDate.Used.ToArray());
        });
    }
}
