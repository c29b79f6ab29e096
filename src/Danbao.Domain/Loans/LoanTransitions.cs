namespace Danbao.Domain.Loans;

/// <summary>The legal state transitions of a loan; <see cref="Loan"/> refuses any other.</summary>
public static class LoanTransitions
{
    private static readonly Dictionary<LoanState, LoanState[]> Allowed = new()
    {
        [LoanState.Submitted] = [LoanState.EligibilityReview, LoanState.Rejected, LoanState.Withdrawn],
        [LoanState.EligibilityReview] = [LoanState.Publicity, LoanState.Rejected, LoanState.Withdrawn],
        [LoanState.Publicity] = [LoanState.Objection, LoanState.DueDiligence, LoanState.Rejected, LoanState.Withdrawn],
        [LoanState.Objection] = [LoanState.Publicity, LoanState.Rejected, LoanState.Withdrawn],
        [LoanState.DueDiligence] = [LoanState.Approved, LoanState.Rejected, LoanState.Withdrawn],
        [LoanState.Approved] = [LoanState.Guaranteed, LoanState.Withdrawn],
        [LoanState.Guaranteed] = [LoanState.Current, LoanState.Withdrawn],
        [LoanState.Current] = [LoanState.Overdue, LoanState.Settled, LoanState.Extended],
        [LoanState.Extended] = [LoanState.Overdue, LoanState.Settled],
        [LoanState.Overdue] = [LoanState.Current, LoanState.Extended, LoanState.Settled, LoanState.Claimed],
        [LoanState.Claimed] = [LoanState.Compensated, LoanState.Overdue],
        [LoanState.Compensated] = [LoanState.Recovering, LoanState.WrittenOff, LoanState.Closed],
        [LoanState.Recovering] = [LoanState.WrittenOff, LoanState.Closed],
        [LoanState.Settled] = [],
        [LoanState.WrittenOff] = [],
        [LoanState.Closed] = [],
        [LoanState.Rejected] = [],
        [LoanState.Withdrawn] = [],
    };

    public static bool IsAllowed(LoanState from, LoanState to) => Allowed[from].Contains(to);

    public static IReadOnlyList<LoanState> From(LoanState state) => Allowed[state];

    public static bool IsTerminal(LoanState state) => Allowed[state].Length == 0;

    /// <summary>ILLEGAL_TRANSITION with "from" and "to" in the details.</summary>
    public static Refusal Illegal(LoanState from, LoanState to) =>
        new(ReasonCodes.IllegalTransition, $"a loan in {from.ToCode()} cannot move to {to.ToCode()}")
        {
            Details = new Dictionary<string, string> { ["from"] = from.ToCode(), ["to"] = to.ToCode() },
        };
}
