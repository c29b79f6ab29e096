namespace Danbao.Domain.Loans;

/// <summary>How a repayment was applied: interest first, then principal.</summary>
public sealed record Allocation(Money Interest, Money Principal)
{
    public Money Total => Interest + Principal;
}

/// <summary>Repayments pay the interest due first, then principal (policy: interest before principal).</summary>
public static class RepaymentAllocation
{
    public static Result<Allocation> Allocate(Money amount, Money interestDue, Money principalOutstanding)
    {
        if (!amount.IsPositive)
            return new Refusal(ReasonCodes.AmountNotPositive, "a repayment must be positive");
        if (interestDue.IsNegative || principalOutstanding.IsNegative)
            throw new ArgumentException("interest due and principal cannot be negative");
        var debt = interestDue + principalOutstanding;
        if (amount > debt)
            return new Refusal(ReasonCodes.RepaymentExceedsDebt, $"repayment {amount} is more than the {debt} owed (interest {interestDue}, principal {principalOutstanding})");
        var interest = Money.Min(amount, interestDue);
        return new Allocation(interest, amount - interest);
    }
}
