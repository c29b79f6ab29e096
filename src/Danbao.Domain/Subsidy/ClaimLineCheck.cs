namespace Danbao.Domain;

/// <summary>How the service judges one claim line against its own figures.</summary>
public enum ClaimLineFlag
{
    /// <summary>Claimed interest and subsidy equal the recorded interest and the computed subsidy.</summary>
    Matches,

    /// <summary>The claim differs from the computed figures (the expected subsidy is given).</summary>
    Differs,

    /// <summary>Some days of the period earn no subsidy (overdue, extension); the expected subsidy excludes them.</summary>
    IneligibleDays,

    /// <summary>Nothing is payable (see the reason): interest not paid, not this bank's loan, no formula.</summary>
    NotPayable,
}

/// <summary>One interest payment as the bank recorded it (loan_repayments): interest covers [InterestFrom, PaidOn).</summary>
public readonly record struct RecordedRepayment(DateOnly PaidOn, Money Interest, Money Principal, DateOnly InterestFrom);

/// <summary>What a bank claims for one loan and one quarter.</summary>
public readonly record struct ClaimLineInput(string LoanId, Money InterestPaid, Money SubsidyClaimed);

/// <summary>The service's verdict on one claim line, with the figures that explain it.</summary>
public sealed record ClaimLineVerdict(
    ClaimLineFlag Flag,
    string? NotPayableReason,
    DateRange? Period,
    int ExcludedDays,
    Money ExpectedInterest,
    Money ExpectedSubsidy,
    Money RecordedInterest,
    SubsidyFormulaVersion? Formula,
    string Message)
{
    public int Days => Period?.Days ?? 0;

    /// <summary>What approval pays: never more than asked, never more than computed.</summary>
    public Money Payable(Money claimed) => Flag == ClaimLineFlag.NotPayable ? Money.Zero : Money.Min(claimed, ExpectedSubsidy);
}

/// <summary>
/// Recomputes a quarterly claim line (policy.md §5, 先付后贴): the subsidy is due on the interest the
/// borrower actually paid during the quarter. The period is the days that interest covered (from the
/// earliest interest-from date to the latest payment date of the quarter's repayments); the subsidy
/// for it comes from <see cref="SubsidyCalculator"/> with the loan's exclusions (overdue, extension).
/// </summary>
public static class ClaimLineCheck
{
    /// <param name="loan">The loan, or null when it does not exist.</param>
    /// <param name="loanBankId">The loan's handling bank.</param>
    /// <param name="repayments">All the loan's recorded repayments (principal changes from all of them; interest from the quarter's).</param>
    public static ClaimLineVerdict Check(string claimBankId, ClaimQuarter quarter, ClaimLineInput line, Loan? loan, string? loanBankId,
        IReadOnlyList<RecordedRepayment> repayments, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(repayments);
        if (loan is null || loanBankId != claimBankId)
            return NotPayable(SubsidyReasons.LoanNotThisBanks, $"loans/{line.LoanId} is not a loan of {claimBankId}");
        var d = loan.Data;
        if (d.DisbursementDate is not { } disbursed)
            return NotPayable(SubsidyReasons.LoanNotDisbursed, $"loans/{line.LoanId} is not disbursed");
        var paid = repayments.Where(r => quarter.Range.Contains(r.PaidOn) && r.Interest > Money.Zero && r.PaidOn > r.InterestFrom).ToArray();
        if (paid.Length == 0)
            return NotPayable(SubsidyReasons.InterestNotPaid, $"no interest was paid on loans/{line.LoanId} in {quarter}");
        var period = new DateRange(paid.Min(r => r.InterestFrom), paid.Max(r => r.PaidOn));
        var recorded = Money.Sum(paid.Select(r => r.Interest));
        var timeline = PrincipalTimeline.FromRepayments(disbursed, d.Amount, repayments.Select(r => (r.PaidOn, r.Principal)));
        var request = new SubsidyRequest(d.Region, timeline, d.ContractRate, d.ContractDate, disbursed, period, loan.SubsidyExclusions(period, repayments));
        var calculated = SubsidyCalculator.Calculate(request, policy, lpr);
        if (!calculated.IsOk)
            return NotPayable(calculated.Refusal.Code, calculated.Refusal.Message) with { Period = period, RecordedInterest = recorded };
        var c = calculated.Value;
        // Each repayment rounds its own interest, so the quarter's sum may be a fen per repayment below
        // the period's interest rounded once: that much is still "paid in full".
        if (recorded + Money.FromFen(paid.Length - 1) < c.Interest)
            return NotPayable(SubsidyReasons.InterestNotPaid, $"interest paid {recorded} is less than the period's interest {c.Interest}")
                with { Period = period, RecordedInterest = recorded, ExpectedInterest = c.Interest, Formula = c.Formula };
        var excluded = c.Days - c.SubsidisedDays;
        var flag = excluded > 0 ? ClaimLineFlag.IneligibleDays
            : line.InterestPaid == recorded && line.SubsidyClaimed == c.Subsidy ? ClaimLineFlag.Matches
            : ClaimLineFlag.Differs;
        var message = flag switch
        {
            ClaimLineFlag.IneligibleDays => $"{excluded} of {c.Days} days earn no subsidy ({string.Join(", ", c.Excluded.Select(s => $"{s.Range} {s.ExcludedBecause}"))}); expected subsidy {c.Subsidy}",
            ClaimLineFlag.Differs => $"claimed interest {line.InterestPaid}, subsidy {line.SubsidyClaimed}; recorded interest {recorded}, expected subsidy {c.Subsidy}",
            _ => "", // a matching line needs no words; ExplainSubsidy gives the full derivation
        };
        return new ClaimLineVerdict(flag, null, period, excluded, c.Interest, c.Subsidy, recorded, c.Formula, message);
    }

    private static ClaimLineVerdict NotPayable(string reason, string message) =>
        new(ClaimLineFlag.NotPayable, reason, null, 0, Money.Zero, Money.Zero, Money.Zero, null, message);
}
