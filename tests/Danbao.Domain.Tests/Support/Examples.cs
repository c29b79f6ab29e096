using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>policy.md §9 setup: Guangzhou, contract 2025-06-01, 1Y LPR 3.00%, 200,000 at 3.50%.</summary>
public static class Examples
{
    public static readonly DateOnly ContractDate = D("2025-06-01");
    public static readonly Money Principal = Money.FromWholeYuan(200_000);
    public static readonly Rate ContractRate = Rate.FromPercent(3.50m);

    public static SubsidyRequest Loan(DateOnly disbursed, DateRange period, DateOnly? contract = null, params SubsidyExclusion[] exclusions) =>
        new(RegionCode.Guangzhou, PrincipalTimeline.Disbursed(disbursed, Principal), ContractRate, contract ?? disbursed, disbursed, period, exclusions);

    public static LoanTerms Terms(Money amount, BorrowerType type = BorrowerType.Individual, int termMonths = 24, decimal ratePercent = 3.50m, bool counterGuarantee = true, string contractDate = "2025-06-01", int partners = 0) =>
        new()
        {
            BorrowerType = type,
            Region = RegionCode.Guangzhou,
            Amount = amount,
            TermMonths = termMonths,
            ContractRate = Rate.FromPercent(ratePercent),
            ContractDate = D(contractDate),
            HasCounterGuarantee = counterGuarantee,
            PartnerCount = partners,
        };
}
