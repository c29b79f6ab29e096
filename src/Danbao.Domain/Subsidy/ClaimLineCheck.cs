namespace Danbao.Domain.Subsidy;

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

/// <summary>
/// The service's verdict on one claim line, with the figures that explain it. <see cref="Message"/> is empty for a
/// MATCHES line and for a DIFFERS one: that text is <see cref="ClaimLineCheck.DiffersMessage"/> of the line's claimed
/// amounts and these figures, made only when a line is shown (a million-line claim's DIFFERS texts were ~1 µs each).
/// </summary>
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
/// Recomputes a quarterly claim line (policy.md §5, 先付后贴): the subsidy is due on interest paid in
/// full. The line covers the interest completed during the quarter (<see cref="InterestPaidInFull"/>):
/// from the day interest was paid in full to at the quarter's start to the day at its end. A period
/// paid only in part is deferred to the quarter in which it is completed, never forfeited; only the
/// overdue and extension days given as input earn nothing (<see cref="SubsidyCalculator"/>).
/// </summary>
public static class ClaimLineCheck
{
    /// <summary>
    /// The check with the loan's facts: days that earn nothing come from <paramref name="exclusions"/>
    /// (overdue ranges as a fact of the schedule and repayments, extension), never from a batch flag.
    /// </summary>
    /// <param name="loan">The loan's data, or null when it does not exist.</param>
    /// <param name="loanBankId">The loan's handling bank.</param>
    /// <param name="repayments">All the loan's recorded repayments paid before the quarter's end.</param>
    /// <param name="exclusions">Overdue and extension ranges of the loan (any span; cut to the line's period here).</param>
    public static ClaimLineVerdict Check(string claimBankId, ClaimQuarter quarter, ClaimLineInput line, LoanData? loan, string? loanBankId,
        IReadOnlyList<RecordedRepayment> repayments, IReadOnlyList<SubsidyExclusion> exclusions, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(exclusions);
        return Check(claimBankId, quarter, line, loan, loanBankId, repayments, exclusions, null, policy, lpr);
    }

    /// <summary>
    /// The check itself: the days that earn nothing are <paramref name="exclusions"/> when given, else the loan's own
    /// (<paramref name="aggregate"/>) derived for the line's period alone once it is known: only their overlap with
    /// the period counts, and deriving overdue days over the loan's whole history cost more than the rest of a line.
    /// </summary>
    private static ClaimLineVerdict Check(string claimBankId, ClaimQuarter quarter, ClaimLineInput line, LoanData? loan, string? loanBankId,
        IReadOnlyList<RecordedRepayment> repayments, IReadOnlyList<SubsidyExclusion>? exclusions, Loan? aggregate, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(repayments);
        if (loan is null || loanBankId != claimBankId)
            return NotPayable(SubsidyReasons.LoanNotThisBanks, $"loans/{line.LoanId} is not a loan of {claimBankId}");
        if (loan.DisbursementDate is not { } disbursed)
            return NotPayable(SubsidyReasons.LoanNotDisbursed, $"loans/{line.LoanId} is not disbursed");
        var known = PaidBefore(repayments, quarter.End);
        var completed = InterestPaidInFull.Replay(disbursed, loan.Amount, loan.ContractRate, known).CompletedIn(quarter);
        if (completed is not { } done)
        {
            var paidInQuarter = known.Any(r => quarter.Range.Contains(r.PaidOn) && r.Interest.IsPositive);
            return NotPayable(SubsidyReasons.InterestNotPaid, paidInQuarter
                ? $"interest paid on loans/{line.LoanId} in {quarter} completes no period: the subsidy is deferred to the quarter in which the interest is paid in full"
                : $"no interest was paid on loans/{line.LoanId} in {quarter}");
        }
        var period = done.Period;
        var timeline = InterestPaidInFull.Principal(disbursed, loan.Amount, known);
        exclusions ??= aggregate!.SubsidyExclusions(period, known);
        var cut = Overlapping(exclusions, period);
        var request = new SubsidyRequest(loan.Region, timeline, loan.ContractRate, loan.ContractDate, disbursed, period, cut);
        var calculated = SubsidyCalculator.Calculate(request, policy, lpr);
        if (!calculated.IsOk)
            return NotPayable(calculated.Refusal.Code, calculated.Refusal.Message) with { Period = period, RecordedInterest = done.Interest };
        var c = calculated.Value;
        var excluded = c.Days - c.SubsidisedDays;
        var flag = excluded > 0 ? ClaimLineFlag.IneligibleDays
            : line.InterestPaid == done.Interest && line.SubsidyClaimed == c.Subsidy ? ClaimLineFlag.Matches
            : ClaimLineFlag.Differs;
        var message = flag switch
        {
            ClaimLineFlag.IneligibleDays => $"{excluded} of {c.Days} days earn no subsidy ({string.Join(", ", c.Excluded.Select(s => $"{s.Range} {s.ExcludedBecause}"))}); expected subsidy {c.Subsidy}",
            _ => "", // a matching line needs no words (ExplainSubsidy gives the full derivation); a differing one's come from its figures
        };
        return new ClaimLineVerdict(flag, null, period, excluded, c.Interest, c.Subsidy, done.Interest, c.Formula, message);
    }

    /// <summary>
    /// Today's server entry point: the exclusions are read from the loan aggregate. Kept so callers
    /// compile; prefer the overload that takes the overdue ranges as an input.
    /// </summary>
    public static ClaimLineVerdict Check(string claimBankId, ClaimQuarter quarter, ClaimLineInput line, Loan? loan, string? loanBankId,
        IReadOnlyList<RecordedRepayment> repayments, PolicyResolver policy, LprTable lpr)
    {
        ArgumentNullException.ThrowIfNull(repayments);
        return Check(claimBankId, quarter, line, loan?.Data, loanBankId, repayments, null, loan, policy, lpr);
    }

    /// <summary>The repayments paid before <paramref name="end"/>: the list itself when all were (the usual case).</summary>
    private static IReadOnlyList<RecordedRepayment> PaidBefore(IReadOnlyList<RecordedRepayment> repayments, DateOnly end)
    {
        for (var i = 0; i < repayments.Count; i++)
        {
            if (repayments[i].PaidOn >= end)
                return repayments.Where(r => r.PaidOn < end).ToArray();
        }
        return repayments;
    }

    private static IReadOnlyList<SubsidyExclusion> Overlapping(IReadOnlyList<SubsidyExclusion> exclusions, DateRange period)
    {
        if (exclusions.Count == 0)
            return [];
        return exclusions.Where(e => e.Range.Intersect(period) is not null).ToArray();
    }

    /// <summary>
    /// A DIFFERS line's message, from figures its row keeps (so the row need not keep the text: it was half a row).
    /// </summary>
    public static string DiffersMessage(Money interestClaimed, Money subsidyClaimed, DateRange period, Money interestPaidInFull, Money expectedSubsidy) =>
        $"claimed interest {interestClaimed}, subsidy {subsidyClaimed}; interest paid in full for {period} {interestPaidInFull}, expected subsidy {expectedSubsidy}";

    private static ClaimLineVerdict NotPayable(string reason, string message) =>
        new(ClaimLineFlag.NotPayable, reason, null, 0, Money.Zero, Money.Zero, Money.Zero, null, message);
}
