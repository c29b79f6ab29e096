namespace Danbao.Domain.Subsidy;

/// <summary>
/// One line of a subsidy claim: a loan's interest completed in <see cref="Quarter"/> (the claim's quarter,
/// or an earlier one filed late), what the bank asked, the service's verdict, and the decisions on it.
/// Once PAID a line never changes: claw-backs and pass-through dates are separate records.
/// </summary>
public sealed record SubsidyClaimLine(
    string LoanId,
    ClaimQuarter Quarter,
    ClaimLineInput Claimed,
    ClaimLineVerdict Verdict,
    LateFiling Late,
    string? LateReason,
    SubsidyLineDecision Decision,
    string? RejectionReason,
    Money Approved)
{
    public SubsidyLineKey Key => new(LoanId, Quarter);

    public bool IsPayable => Verdict.Flag != ClaimLineFlag.NotPayable;

    /// <summary>What the verdict lets approval pay: never more than asked, never more than computed.</summary>
    public Money PayableAmount => Verdict.Payable(Claimed.SubsidyClaimed);
}

/// <summary>A line is one loan's one quarter.</summary>
public readonly record struct SubsidyLineKey(string LoanId, ClaimQuarter Quarter)
{
    public override string ToString() => $"loans/{LoanId} {Quarter}";
}

/// <summary>The finance bureau's decision on one line: approve, or reject with a reason.</summary>
public sealed record SubsidyLineReview(SubsidyLineKey Line, bool Approve, string? Reason);

/// <summary>Subsidy recovered from the bank (就业补助资金追回) for one paid line, with why.</summary>
public sealed record SubsidyClawback(SubsidyLineKey Line, Money Amount, string Reason, DateOnly On);

/// <summary>The day the bank credited the borrower with a paid line's subsidy.</summary>
public sealed record SubsidyPassThrough(SubsidyLineKey Line, Money Amount, DateOnly CreditedOn);
