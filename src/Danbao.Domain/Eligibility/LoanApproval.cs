namespace Danbao.Domain.Eligibility;

/// <summary>The limits that applied to an approval, with the versions they came from.</summary>
public sealed record ApprovalLimits(Money AmountCap, int TermMaxMonths, RateCapDecision RateCap, Money CounterGuaranteeThreshold);

/// <summary>The approval check's outcome: all failed rules, and the limits (when they could be resolved).</summary>
public sealed record ApprovalResult(Assessment Assessment, ApprovalLimits? Limits)
{
    public bool IsApproved => Assessment.IsOk;
}

/// <summary>
/// Approval limits (policy.md §3, §5), governed by the contract date in the loan's region: amount
/// cap by borrower type, term (individuals and partnerships: INDIVIDUAL_TERM_MAX_MONTHS, since a
/// partnership 合伙创业 is an individual founders' loan; enterprises: ENTERPRISE_TERM_MAX_MONTHS), rate ≤
/// LPR + spread, and a counter-guarantee (反担保) per <see cref="CounterGuaranteeRule"/>.
/// </summary>
public static class LoanApproval
{
    public static ApprovalResult Check(LoanTerms terms, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(policy);
        var snapshot = policy.At(terms.Region, terms.ContractDate);
        try
        {
            var refusals = new List<Refusal>();
            var cap = AmountCap(terms, snapshot, refusals);
            var termMax = TermMaxMonths(terms.BorrowerType, snapshot);
            CheckAmountAndTerm(terms, cap, termMax, refusals);
            var rateCap = RateCap.Compute(lpr, snapshot);
            if (!rateCap.IsOk)
                return new ApprovalResult(new Assessment([rateCap.Refusal], snapshot.Used.ToArray()), null);
            if (terms.ContractRate > rateCap.Value.Cap)
                refusals.Add(new Refusal(ReasonCodes.RateAboveCap,
                    $"contract rate {terms.ContractRate} is above the cap {rateCap.Value.Cap} (LPR {rateCap.Value.Lpr.OneYear} + spread {rateCap.Value.Spread})"));
            var threshold = snapshot.CounterGuaranteeThreshold;
            if (!terms.HasCounterGuarantee && CounterGuaranteeRule.IsRequired(terms.BorrowerType, terms.Amount, snapshot))
                refusals.Add(new Refusal(ReasonCodes.CounterGuaranteeRequired, CounterGuaranteeRule.Why(terms.BorrowerType, terms.Amount, threshold)));
            return new ApprovalResult(Assessment.From(refusals, snapshot), new ApprovalLimits(cap, termMax, rateCap.Value, threshold));
        }
        catch (DomainRefusalException e)
        {
            return new ApprovalResult(Assessment.Missing(e), null);
        }
    }

    /// <summary>Longest term: a partnership is an individual founders' loan, so it takes the individual limit.</summary>
    public static int TermMaxMonths(BorrowerType type, PolicySnapshot policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return type == BorrowerType.Enterprise ? policy.EnterpriseTermMaxMonths : policy.IndividualTermMaxMonths;
    }

    private static Money AmountCap(LoanTerms terms, PolicySnapshot policy, List<Refusal> refusals)
    {
        switch (terms.BorrowerType)
        {
            case BorrowerType.Individual:
                return policy.IndividualCap;
            case BorrowerType.Enterprise:
                return policy.EnterpriseCap;
            default:
                if (terms.PartnerCount >= 2)
                    return PartnershipCap.Compute(terms.PartnerCount, policy);
                refusals.Add(new Refusal(ReasonCodes.PartnershipTooFewPartners, "a partnership needs at least 2 partners"));
                return policy.IndividualCap;
        }
    }

    private static void CheckAmountAndTerm(LoanTerms terms, Money cap, int termMax, List<Refusal> refusals)
    {
        if (!terms.Amount.IsPositive)
            refusals.Add(new Refusal(ReasonCodes.AmountNotPositive, "the loan amount must be positive"));
        else if (terms.Amount > cap)
            refusals.Add(new Refusal(ReasonCodes.AmountAboveCap,
                $"{terms.Amount} is above the {terms.BorrowerType.ToString().ToLowerInvariant()} cap of {cap} on {terms.ContractDate:yyyy-MM-dd}"));
        if (terms.TermMonths <= 0)
            refusals.Add(new Refusal(ReasonCodes.TermNotPositive, "the term must be at least one month"));
        else if (terms.TermMonths > termMax)
            refusals.Add(new Refusal(ReasonCodes.TermTooLong, $"a term of {terms.TermMonths} months is above the limit of {termMax}"));
    }
}
