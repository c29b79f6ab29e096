using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
namespace Danbao.Domain.Tests;

/// <summary>A loan is overdue from the day after a scheduled payment that was not fully made.</summary>
public sealed class MissedPaymentTests
{
    private static DateOnly D(string text) => DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Nothing_is_missed_on_the_due_date_itself()
    {
        // Disbursed 2025-06-10: the first interest falls due on 2025-06-20.
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        Assert.Null(loan.FirstMissedDueDate(D("2025-06-20")));
    }

    [Fact]
    public void Unpaid_interest_is_missed_the_day_after_its_due_date()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        Assert.Equal(D("2025-06-20"), loan.FirstMissedDueDate(D("2025-06-21")));
        Assert.Equal(D("2025-06-21"), OverdueDays.FirstOverdueDay(loan.FirstMissedDueDate(D("2025-06-21"))!.Value));
    }

    [Fact]
    public void Interest_paid_up_to_the_due_date_is_not_missed()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-06-20"), loan.InterestDueOn(D("2025-06-20"))));
        Assert.Null(loan.FirstMissedDueDate(D("2025-09-20")));
        Assert.Equal(D("2025-09-20"), loan.FirstMissedDueDate(D("2025-09-21")));
    }

    [Fact]
    public void A_partial_interest_payment_still_misses_the_instalment()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-06-20"), loan.InterestDueOn(D("2025-06-20")) - Money.FromFen(1)));
        Assert.Equal(D("2025-06-20"), loan.FirstMissedDueDate(D("2025-06-21")));
    }

    [Fact]
    public void Equal_principal_instalments_miss_when_principal_falls_behind_the_plan()
    {
        var loan = LoanBuilder.Individual().Guangzhou().EqualPrincipal().Disbursed();
        // Interest to the first due date paid, but none of that instalment's principal.
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-06-20"), loan.InterestDueOn(D("2025-06-20"))));
        Assert.Equal(D("2025-06-20"), loan.FirstMissedDueDate(D("2025-06-21")));
    }

    [Fact]
    public void A_settled_loan_misses_nothing()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-07-01"), loan.EarlySettlementAmount(D("2025-07-01"))));
        Assert.Equal(LoanState.Settled, loan.State);
        Assert.Null(loan.FirstMissedDueDate(D("2026-01-01")));
    }
}
