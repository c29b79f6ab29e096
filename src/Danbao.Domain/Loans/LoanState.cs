namespace Danbao.Domain.Loans;

/// <summary>Where a guarantee loan (创业担保贷款) is in its life (policy.md §4).</summary>
public enum LoanState
{
    /// <summary>Application received from the bank (申请).</summary>
    Submitted,

    /// <summary>Employment service reviews eligibility (资格审核).</summary>
    EligibilityReview,

    /// <summary>Publicity period running (公示).</summary>
    Publicity,

    /// <summary>Publicity suspended by an objection (异议) until resolved.</summary>
    Objection,

    /// <summary>Fund operator and bank do due diligence (尽职调查).</summary>
    DueDiligence,

    /// <summary>Bank approved the loan (审批).</summary>
    Approved,

    /// <summary>Guarantee contract signed (担保).</summary>
    Guaranteed,

    /// <summary>Disbursed and performing (放款后正常还款). DISBURSED is this state.</summary>
    Current,

    /// <summary>A payment is past due (逾期).</summary>
    Overdue,

    /// <summary>Repaid in full (结清).</summary>
    Settled,

    /// <summary>Term extended (展期), performing.</summary>
    Extended,

    /// <summary>Bank filed a compensation claim (代偿申请).</summary>
    Claimed,

    /// <summary>Fund paid its share (已代偿).</summary>
    Compensated,

    /// <summary>Fund pursuing recovery (追偿).</summary>
    Recovering,

    /// <summary>Written off as bad debt (呆账核销).</summary>
    WrittenOff,

    /// <summary>Recovery finished; nothing more to do.</summary>
    Closed,

    /// <summary>Refused at a review step (不予通过).</summary>
    Rejected,

    /// <summary>Withdrawn by the applicant or bank (撤回).</summary>
    Withdrawn,
}

/// <summary>The UPPER_SNAKE_CASE codes used on the wire and in the database.</summary>
public static class LoanStateCodes
{
    private static readonly Dictionary<LoanState, string> Codes = new()
    {
        [LoanState.Submitted] = "SUBMITTED",
        [LoanState.EligibilityReview] = "ELIGIBILITY_REVIEW",
        [LoanState.Publicity] = "PUBLICITY",
        [LoanState.Objection] = "OBJECTION",
        [LoanState.DueDiligence] = "DUE_DILIGENCE",
        [LoanState.Approved] = "APPROVED",
        [LoanState.Guaranteed] = "GUARANTEED",
        [LoanState.Current] = "CURRENT",
        [LoanState.Overdue] = "OVERDUE",
        [LoanState.Settled] = "SETTLED",
        [LoanState.Extended] = "EXTENDED",
        [LoanState.Claimed] = "CLAIMED",
        [LoanState.Compensated] = "COMPENSATED",
        [LoanState.Recovering] = "RECOVERING",
        [LoanState.WrittenOff] = "WRITTEN_OFF",
        [LoanState.Closed] = "CLOSED",
        [LoanState.Rejected] = "REJECTED",
        [LoanState.Withdrawn] = "WITHDRAWN",
    };

    private static readonly Dictionary<string, LoanState> States = Codes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static string ToCode(this LoanState state) => Codes[state];

    public static LoanState FromCode(string code) =>
        States.TryGetValue(code, out var state) ? state : throw new FormatException($"'{code}' is not a loan state");

    public static IReadOnlyCollection<string> All => Codes.Values;
}
