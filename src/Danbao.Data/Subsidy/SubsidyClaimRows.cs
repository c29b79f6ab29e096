using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Time;
using Danbao.Domain.Subsidy;

namespace Danbao.Data.Subsidy;

/// <summary>
/// Rows of subsidy_claims and its lines as the SubsidyClaim aggregate's data, and back: the aggregate
/// decides, these only translate (codes ↔ enums, fen ↔ Money).
/// </summary>
public static class SubsidyClaimRows
{
    public static SubsidyClaimData ToData(SubsidyClaimRecord claim, IEnumerable<SubsidyClaimLineRecord> lines,
        IEnumerable<SubsidyClawbackRecord> clawbacks, IEnumerable<SubsidyPassThroughRecord> passThroughs) => new()
    {
        Id = claim.Id,
        BankId = claim.BankId,
        Region = new RegionCode(claim.RegionCode),
        Quarter = claim.Quarter,
        State = SubsidyClaimStates.FromCode(claim.State),
        FiledDate = claim.FiledDate,
        SettledDate = claim.SettledDate,
        SettledBy = claim.SettledBy,
        Lines = lines.Select(ToLine).ToArray(),
        LinesFiled = claim.LineCount,
        LinesLatePending = claim.LinesLatePending,
        RestApproved = claim.RestApproved,
        Clawbacks = clawbacks.Select(c => new SubsidyClawback(new SubsidyLineKey(c.LoanId, ClaimQuarter.FromStart(c.QuarterStart)), new Money(c.AmountFen), c.Reason, c.ClawedBackDate)).ToArray(),
        PassThroughs = passThroughs.Select(p => new SubsidyPassThrough(new SubsidyLineKey(p.LoanId, ClaimQuarter.FromStart(p.QuarterStart)), new Money(p.AmountFen), p.CreditedDate)).ToArray(),
    };

    /// <summary>The claim's counters of pending on-time lines per verdict flag (the rule for the rest decides them).</summary>
    public static IReadOnlyList<SubsidyRestGroup> RestGroupsOf(SubsidyClaimRecord claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return
        [
            new(ClaimLineFlag.Matches, claim.RestLinesMatching, new Money(claim.RestPayableMatchingFen)),
            new(ClaimLineFlag.Differs, claim.RestLinesDiffering, new Money(claim.RestPayableDifferingFen)),
            new(ClaimLineFlag.IneligibleDays, claim.RestLinesIneligibleDays, new Money(claim.RestPayableIneligibleDaysFen)),
        ];
    }

    public static SubsidyClaimLine ToLine(SubsidyClaimLineRecord r)
    {
        var flag = FlagOf(r.Flag);
        var verdict = new ClaimLineVerdict(flag, r.NotPayableReason,
            r.PeriodStart is { } s && r.PeriodEnd is { } e ? new DateRange(s, e) : null,
            r.ExcludedDays, new Money(r.ExpectedInterestFen), new Money(r.ExpectedSubsidyFen), new Money(r.RecordedInterestFen),
            r.Formula switch { "V2" => SubsidyFormulaVersion.V2, "V3" => SubsidyFormulaVersion.V3, _ => null },
            r.Message);
        return new SubsidyClaimLine(r.LoanId, r.Quarter, new ClaimLineInput(r.LoanId, new Money(r.InterestPaidFen), new Money(r.SubsidyClaimedFen)),
            verdict, LateOf(r.LateFiling), r.LateReason, SubsidyClaimStates.LineDecisionFromCode(r.Decision), r.RejectionReason, new Money(r.ApprovedSubsidyFen));
    }

    /// <summary>
    /// A line row as its claim has decided it (<see cref="SubsidyClaim.AsDecided"/>): one the claim's approved rest covers
    /// is APPROVED at its payable amount though its row is PENDING, and an approved line of a SETTLED claim is PAID.
    /// </summary>
    public static IEnumerable<SubsidyClaimLineRecord> Effective(SubsidyClaimRecord claim, IEnumerable<SubsidyClaimLineRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(rows);
        var data = ToData(claim, [], [], []);
        return rows.Select(row =>
        {
            var decided = SubsidyClaim.AsDecided(data, ToLine(row));
            return row with { Decision = decided.Decision.ToCode(), ApprovedSubsidyFen = decided.Approved.Fen, RejectionReason = decided.RejectionReason };
        });
    }

    /// <summary>
    /// A line the aggregate decided, as its row of claim <paramref name="claimId"/> of bank <paramref name="bankId"/>;
    /// another bank's loan keeps nothing of the loan (region, district). (Not the aggregate's Data: that copies every line.)
    /// </summary>
    public static SubsidyClaimLineRecord ToRecord(string claimId, string bankId, SubsidyClaimLine line, SubsidyLoanFacts? facts)
    {
        ArgumentNullException.ThrowIfNull(line);
        var v = line.Verdict;
        var own = facts is not null && facts.BankId == bankId;
        return new SubsidyClaimLineRecord
        {
            ClaimId = claimId,
            LoanId = line.LoanId,
            BankId = bankId,
            QuarterStart = line.Quarter.Start,
            RegionCode = own ? facts!.Data.Region.Value : "",
            District = own ? facts!.District : "",
            InterestPaidFen = line.Claimed.InterestPaid.Fen,
            SubsidyClaimedFen = line.Claimed.SubsidyClaimed.Fen,
            Flag = FlagCode(v.Flag),
            NotPayableReason = v.NotPayableReason,
            PeriodStart = v.Period?.Start,
            PeriodEnd = v.Period?.End,
            Days = v.Days,
            ExcludedDays = v.ExcludedDays,
            ExpectedInterestFen = v.ExpectedInterest.Fen,
            ExpectedSubsidyFen = line.IsPayable ? v.ExpectedSubsidy.Fen : 0,
            RecordedInterestFen = v.RecordedInterest.Fen,
            Formula = v.Formula switch { SubsidyFormulaVersion.V2 => "V2", SubsidyFormulaVersion.V3 => "V3", _ => null },
            Decision = line.Decision.ToCode(),
            RejectionReason = line.RejectionReason,
            ApprovedSubsidyFen = line.Approved.Fen,
            PayableSubsidyFen = line.PayableAmount.Fen,
            Message = v.Message,
            LateFiling = LateCode(line.Late),
            LateReason = line.LateReason,
        };
    }

    /// <summary>
    /// A line's message as shown: a DIFFERS line's is made from its figures (<see cref="ClaimLineCheck.DiffersMessage"/>)
    /// when its row or verdict keeps none; any other line's is the one kept.
    /// </summary>
    public static string MessageOf(SubsidyClaimLineRecord l)
    {
        ArgumentNullException.ThrowIfNull(l);
        return MessageOf(l.Message, l.Flag, l.InterestPaidFen, l.SubsidyClaimedFen, l.PeriodStart, l.PeriodEnd, l.RecordedInterestFen, l.ExpectedSubsidyFen);
    }

    internal static string MessageOf(string kept, string flag, long interestPaid, long subsidyClaimed, DateOnly? start, DateOnly? end,
        long recordedInterest, long expectedSubsidy) =>
        kept.Length == 0 && flag == "DIFFERS" && start is { } s && end is { } e
            ? ClaimLineCheck.DiffersMessage(new Money(interestPaid), new Money(subsidyClaimed), new DateRange(s, e), new Money(recordedInterest), new Money(expectedSubsidy))
            : kept;

    public static string FlagCode(ClaimLineFlag flag) => flag switch
    {
        ClaimLineFlag.Matches => "MATCHES",
        ClaimLineFlag.Differs => "DIFFERS",
        ClaimLineFlag.IneligibleDays => "INELIGIBLE_DAYS",
        _ => "NOT_PAYABLE",
    };

    public static ClaimLineFlag FlagOf(string code) => code switch
    {
        "MATCHES" => ClaimLineFlag.Matches,
        "DIFFERS" => ClaimLineFlag.Differs,
        "INELIGIBLE_DAYS" => ClaimLineFlag.IneligibleDays,
        "NOT_PAYABLE" => ClaimLineFlag.NotPayable,
        _ => throw new FormatException($"'{code}' is not a subsidy line flag"),
    };

    public static string LateCode(LateFiling late) => late switch
    {
        LateFiling.OnTime => "ON_TIME",
        LateFiling.Pending => "PENDING",
        LateFiling.Accepted => "ACCEPTED",
        _ => "REFUSED",
    };

    public static LateFiling LateOf(string code) => code switch
    {
        "ON_TIME" => LateFiling.OnTime,
        "PENDING" => LateFiling.Pending,
        "ACCEPTED" => LateFiling.Accepted,
        "REFUSED" => LateFiling.Refused,
        _ => throw new FormatException($"'{code}' is not a late-filing state"),
    };
}
