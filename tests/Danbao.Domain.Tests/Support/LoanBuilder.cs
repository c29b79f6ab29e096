using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>Builds loans in a given state through the aggregate's own methods: LoanBuilder.Individual().Guangzhou().Amount(...).Disbursed().</summary>
public sealed class LoanBuilder
{
    private LoanTerms _terms = Examples.Terms(Examples.Principal);
    private RepaymentMethod _method = RepaymentMethod.Bullet;
    private bool _hkMacauYouth;

    public static LoanBuilder Individual() => new();

    public LoanBuilder Guangzhou() => In(RegionCode.Guangzhou);

    public LoanBuilder In(RegionCode region)
    {
        _terms = _terms with { Region = region };
        return this;
    }

    public LoanBuilder Amount(Money amount)
    {
        _terms = _terms with { Amount = amount };
        return this;
    }

    public LoanBuilder HkMacauYouth()
    {
        _hkMacauYouth = true;
        return this;
    }

    public LoanBuilder EqualPrincipal()
    {
        _method = RepaymentMethod.EqualPrincipal;
        return this;
    }

    public Loan Submitted() => Loan.Submit("L0000000000001", _terms, _method);

    /// <summary>In publicity, published 2025-06-02 for 3 calendar days (concludes 2025-06-05 00:00 CST).</summary>
    public Loan InPublicity()
    {
        var loan = Submitted();
        Ok(loan.StartEligibilityReview());
        Ok(loan.OpenPublicity(PublicityWindow.Open(D("2025-06-02"), PolicySeed.Resolver, _terms.Region, PolicySeed.Calendar).Value, _hkMacauYouth));
        return loan;
    }

    public Loan InDueDiligence()
    {
        var loan = InPublicity();
        Ok(loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-05")), PolicySeed.Calendar));
        return loan;
    }

    public Loan Approved()
    {
        var loan = InDueDiligence();
        Ok(loan.RecordDueDiligence(bank: true, fund: true));
        Ok(loan.Approve(LoanApproval.Check(_terms, PolicySeed.Resolver, PolicySeed.Lpr)));
        return loan;
    }

    /// <summary>Guaranteed and disbursed on <paramref name="on"/> (default 2025-06-10).</summary>
    public Loan Disbursed(string on = "2025-06-10")
    {
        var loan = Approved();
        Ok(loan.Guarantee(D(on), RiskShare.For(PolicySeed.Resolver.At(_terms.Region, D(on)), _hkMacauYouth).Value));
        Ok(loan.Disburse(D(on)));
        return loan;
    }

    public static void Ok<T>(Result<T> result) => Assert.True(result.IsOk, result.Refusal?.ToString());
}
