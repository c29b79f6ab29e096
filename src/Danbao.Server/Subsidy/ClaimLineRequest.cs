using Danbao.Contracts.V1;
using Danbao.Domain.Figures;
using Danbao.Domain.Subsidy;
using Danbao.Server.Validation;

namespace Danbao.Server.Subsidy;

/// <summary>One claim line as the bank sent it, checked field by field (AddSubsidyClaimLines, StreamSubsidyClaimLines).</summary>
public readonly record struct ClaimLineRequest(ClaimLineInput Input, ClaimQuarter? Quarter, string? LateReason)
{
    /// <summary>
    /// The line at lines[<paramref name="index"/>], or null with its violations added to <paramref name="errors"/>;
    /// <paramref name="seen"/> holds the (loan, quarter) pairs met so far, so a pair sent twice is refused.
    /// </summary>
    public static ClaimLineRequest? Validate(FieldErrors errors, int index, SubsidyClaimLineInput line, HashSet<(string, string)> seen)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(seen);
        // The field's name (lines[i]) is made only for a violation: a stream checks a million lines.
        if (!line.Loan.StartsWith("loans/", StringComparison.Ordinal) || line.Loan.Length is < 8 or > 40)
        {
            errors.Add(Field(index) + ".loan", "a loan resource name, loans/{loan_id}");
            return null;
        }
        if (line.InterestPaidFen < 0 || line.SubsidyClaimedFen < 0)
        {
            errors.Add(Field(index), "amounts must not be negative");
        }
        ClaimQuarter? quarter = null;
        if (line.Quarter.Length > 0)
        {
            var q = ClaimQuarter.Parse(line.Quarter);
            if (q.IsOk)
            {
                quarter = q.Value;
            }
            else
            {
                errors.Add(Field(index) + ".quarter", q.Refusal.Message);
            }
        }
        string? lateReason = null;
        if (line.LateReason.Length > 0)
        {
            lateReason = errors.Text(Field(index) + ".late_reason", line.LateReason, lengthMax: Domain.Subsidy.SubsidyClaim.ReasonLengthMax);
        }
        var loanId = line.Loan["loans/".Length..];
        if (!seen.Add((loanId, line.Quarter)))
        {
            errors.Add(Field(index) + ".loan", $"{line.Loan} appears twice in this call");
        }
        return new ClaimLineRequest(new ClaimLineInput(loanId, new Money(line.InterestPaidFen), new Money(line.SubsidyClaimedFen)), quarter, lateReason);
    }

    /// <summary>The field name of line <paramref name="index"/> in refusals.</summary>
    public static string Field(int index) => $"lines[{index}]";
}
