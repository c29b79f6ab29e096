namespace Danbao.Domain.Tests;

/// <summary>Random repayments for property tests, recorded through the aggregate as the server records them.</summary>
public static class RepaymentReplay
{
    public static readonly DateOnly Disbursed = Dates.D("2025-06-10");

    /// <summary>
    /// An equal-principal loan disbursed on <see cref="Disbursed"/>, with (day offset, amount in yuan) repayments
    /// replayed in day order (each capped at the early-settlement amount; any the aggregate refuses is skipped),
    /// and the loan_repayments rows they make.
    /// </summary>
    public static (Loan Loan, List<RecordedRepayment> Rows) Of(IEnumerable<(int Offset, int Yuan)> payments)
    {
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed("2025-06-10");
        var rows = new List<RecordedRepayment>();
        foreach (var (offset, yuan) in payments.OrderBy(p => p.Offset))
        {
            var on = Disbursed.AddDays(offset);
            var from = loan.Data.InterestPaidToDate!.Value;
            var amount = Money.Min(Money.FromWholeYuan(yuan), loan.EarlySettlementAmount(on));
            if (!amount.IsPositive)
                continue;
            var allocation = loan.RecordRepayment(on, amount);
            if (allocation.IsOk)
                rows.Add(new RecordedRepayment(on, allocation.Value.Interest, allocation.Value.Principal, from));
        }
        return (loan, rows);
    }
}
