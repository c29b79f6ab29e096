using Danbao.Data.Fund;

namespace Danbao.Server.Fund;

/// <summary>Loan-by-loan comparison of the ledger's guaranteed principal with a bank's statement.</summary>
public static class Reconciliation
{
    /// <summary>
    /// Breaks, in loan order: MISSING_HERE (the bank reports a non-zero balance the ledger does not
    /// guarantee), MISSING_THERE (the ledger guarantees a balance the bank did not report),
    /// AMOUNT_DIFFERS. A loan both sides hold at the same amount, or the bank reports at 0 and the
    /// ledger does not hold, is no break.
    /// </summary>
    public static List<StatementBreakRecord> Compare(IReadOnlyDictionary<string, long> ours, IReadOnlyDictionary<string, long> theirs)
    {
        var breaks = new List<StatementBreakRecord>();
        foreach (var (loan, theirFen) in theirs)
        {
            if (!ours.TryGetValue(loan, out var ourFen))
            {
                if (theirFen != 0)
                {
                    breaks.Add(new StatementBreakRecord(loan, "MISSING_HERE", 0, theirFen));
                }
            }
            else if (ourFen != theirFen)
            {
                breaks.Add(new StatementBreakRecord(loan, "AMOUNT_DIFFERS", ourFen, theirFen));
            }
        }
        foreach (var (loan, ourFen) in ours)
        {
            if (!theirs.ContainsKey(loan))
            {
                breaks.Add(new StatementBreakRecord(loan, "MISSING_THERE", ourFen, 0));
            }
        }
        breaks.Sort((a, b) => string.CompareOrdinal(a.LoanId, b.LoanId));
        return breaks;
    }
}
