namespace Danbao.Domain.Compensation;

/// <summary>
/// A compensation claim needs the loan more than CLAIM_OVERDUE_DAYS_MIN (90) days overdue on the
/// claim date (policy.md §6). Governed by the claim date.
/// </summary>
public static class ClaimEligibility
{
    public static Result<Unit> Check(int overdueDays, PolicySnapshot policyOnClaimDate)
    {
        ArgumentNullException.ThrowIfNull(policyOnClaimDate);
        return PolicyDecision.Run<Unit>(() =>
        {
            var min = policyOnClaimDate.ClaimOverdueDaysMin;
            return overdueDays > min
                ? Unit.Value
                : new Refusal(ReasonCodes.NotOverdueLongEnough,
                    $"a claim needs more than {min} days overdue; the loan is {overdueDays} days overdue", policyOnClaimDate.Used.ToArray());
        });
    }
}
