namespace Danbao.Domain.Eligibility;

/// <summary>How an earlier guarantee loan of the same borrower (person or credit code) ended, or stands.</summary>
public enum PriorLoanOutcome
{
    /// <summary>Still being applied for or serviced.</summary>
    Active,

    /// <summary>Repaid (结清), or never lent (rejected, withdrawn).</summary>
    Repaid,

    /// <summary>The fund paid compensation (代偿) for it, whatever recovery followed.</summary>
    Compensated,

    /// <summary>Written off as bad debt (呆账核销).</summary>
    WrittenOff,
}

/// <summary>An earlier loan in a borrower's history, as the eligibility rules see it.</summary>
public readonly record struct PriorLoan(string LoanId, PriorLoanOutcome Outcome)
{
    /// <summary>A good payer's loan: neither compensated nor written off.</summary>
    public bool Defaulted => Outcome is PriorLoanOutcome.Compensated or PriorLoanOutcome.WrittenOff;

    /// <summary>The outcome of a loan of this service from its state (CLOSED follows only compensation).</summary>
    public static PriorLoan FromState(string loanId, LoanState state) => new(loanId, state switch
    {
        LoanState.Compensated or LoanState.Recovering or LoanState.Closed => PriorLoanOutcome.Compensated,
        LoanState.WrittenOff => PriorLoanOutcome.WrittenOff,
        LoanState.Settled or LoanState.Rejected or LoanState.Withdrawn => PriorLoanOutcome.Repaid,
        _ => PriorLoanOutcome.Active,
    });

    /// <summary>
    /// The good-payer rule (policy.md §2: repeat subsidised loans are for good payers): a borrower
    /// with a compensated or written-off loan is refused, PRIOR_LOAN_DEFAULTED, naming the loans.
    /// </summary>
    internal static Refusal? GoodPayerRefusal(IEnumerable<PriorLoan> history, string who)
    {
        var defaulted = history.Where(p => p.Defaulted).ToArray();
        if (defaulted.Length == 0)
            return null;
        return new Refusal(ReasonCodes.PriorLoanDefaulted,
            $"{who} had a guarantee loan that was {(defaulted.Any(d => d.Outcome == PriorLoanOutcome.WrittenOff) ? "written off" : "compensated by the fund")}: subsidised loans are for good payers")
        {
            Details = new Dictionary<string, string> { ["loans"] = string.Join(",", defaulted.Select(d => d.LoanId)) },
        };
    }
}
