using System.Globalization;
using Danbao.Contracts.V1;
using SubsidyClaim = Danbao.Contracts.V1.SubsidyClaim;
using SubsidyClaimLine = Danbao.Contracts.V1.SubsidyClaimLine;
using SubsidyClaimState = Danbao.Contracts.V1.SubsidyClaimState;
using SubsidyLineDecision = Danbao.Contracts.V1.SubsidyLineDecision;
using Danbao.Data.Subsidy;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Loans;
using Danbao.Server.Resources;

namespace Danbao.Server.Subsidy;

/// <summary>Subsidy claims and explanations as the API shows them.</summary>
public static class SubsidyMapping
{
    public static string Name(string claimId) => ResourceNames.SubsidyClaim.Format(claimId);

    public static string Etag(int version) => Etags.Of(version);

    public static string Date(DateOnly? date) => date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";

    /// <summary>The claim id in "subsidyClaims/{id}"; INVALID_ARGUMENT otherwise.</summary>
    public static string IdOf(string name, string field = "name") => ResourceNames.SubsidyClaim.Parse(name, field);

    public static SubsidyClaim ToProto(SubsidyClaimRecord c) => new()
    {
        Name = Name(c.Id),
        Bank = ResourceNames.Institution.Format(c.BankId),
        Region = c.RegionCode,
        Quarter = c.Quarter.ToString(),
        State = c.State switch
        {
            "DRAFT" => SubsidyClaimState.SubsidyClaimDraft,
            "SUBMITTED" => SubsidyClaimState.SubsidyClaimSubmitted,
            "REVIEWED" => SubsidyClaimState.SubsidyClaimReviewed,
            "SETTLED" => SubsidyClaimState.SubsidyClaimSettled,
            _ => SubsidyClaimState.Unspecified,
        },
        Etag = Etag(c.Version),
        LineCount = c.LineCount,
        ClaimedSubsidyFen = c.ClaimedSubsidyFen,
        ExpectedSubsidyFen = c.ExpectedSubsidyFen,
        ApprovedSubsidyFen = c.ApprovedSubsidyFen,
        LinesMatching = c.LinesMatching,
        LinesDiffering = c.LinesDiffering,
        LinesIneligibleDays = c.LinesIneligibleDays,
        LinesNotPayable = c.LinesNotPayable,
        LinesApproved = c.LinesApproved,
        LinesRejected = c.LinesRejected,
        FiledDate = Date(c.FiledDate),
        SettledDate = Date(c.SettledDate),
        LedgerTransactionId = c.LedgerTransactionId ?? 0,
        CreateTime = c.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        LinesLate = c.LinesLate,
        LinesLatePending = c.LinesLatePending,
        PaidSubsidyFen = c.PaidSubsidyFen,
        ClawedBackFen = c.ClawedBackFen,
        PassedThroughFen = c.PassedThroughFen,
    };

    public static SubsidyClaimLine ToProto(SubsidyClaimLineRecord l) => new()
    {
        Claim = Name(l.ClaimId),
        Loan = ResourceNames.Loan.Format(l.LoanId),
        InterestPaidFen = l.InterestPaidFen,
        SubsidyClaimedFen = l.SubsidyClaimedFen,
        Flag = l.Flag switch
        {
            "MATCHES" => SubsidyLineFlag.SubsidyLineMatches,
            "DIFFERS" => SubsidyLineFlag.SubsidyLineDiffers,
            "INELIGIBLE_DAYS" => SubsidyLineFlag.SubsidyLineIneligibleDays,
            "NOT_PAYABLE" => SubsidyLineFlag.SubsidyLineNotPayable,
            _ => SubsidyLineFlag.Unspecified,
        },
        NotPayableReason = l.NotPayableReason ?? "",
        PeriodStartDate = Date(l.PeriodStart),
        PeriodEndDate = Date(l.PeriodEnd),
        Days = l.Days,
        ExcludedDays = l.ExcludedDays,
        ExpectedInterestFen = l.ExpectedInterestFen,
        ExpectedSubsidyFen = l.ExpectedSubsidyFen,
        RecordedInterestPaidFen = l.RecordedInterestFen,
        Formula = Formula(l.Formula),
        Decision = l.Decision switch
        {
            "PENDING" => SubsidyLineDecision.SubsidyLinePending,
            "APPROVED" => SubsidyLineDecision.SubsidyLineApproved,
            "REJECTED" => SubsidyLineDecision.SubsidyLineRejected,
            "PAID" => SubsidyLineDecision.SubsidyLinePaid,
            _ => SubsidyLineDecision.Unspecified,
        },
        RejectionReason = l.RejectionReason ?? "",
        ApprovedSubsidyFen = l.ApprovedSubsidyFen,
        Message = SubsidyClaimRows.MessageOf(l),
        Quarter = l.Quarter.ToString(),
        LateFiling = l.LateFiling,
        LateReason = l.LateReason ?? "",
    };

    /// <summary>Basis points as text without trailing zeros: 175, 130, 87.5.</summary>
    public static string Bp(Rate rate) => rate.Bp.ToString("0.####", CultureInfo.InvariantCulture);

    public static SubsidyFormula Formula(string? code) => code switch
    {
        "V2" => SubsidyFormula.V2,
        "V3" => SubsidyFormula.V3,
        _ => SubsidyFormula.Unspecified,
    };

    public static string FlagCode(ClaimLineFlag flag) => flag switch
    {
        ClaimLineFlag.Matches => "MATCHES",
        ClaimLineFlag.Differs => "DIFFERS",
        ClaimLineFlag.IneligibleDays => "INELIGIBLE_DAYS",
        _ => "NOT_PAYABLE",
    };

    public static SubsidyExplanation ToProto(string loanName, DateOnly disbursed, SubsidyCalculation c)
    {
        var reply = new SubsidyExplanation
        {
            Loan = loanName,
            StartDate = Date(c.Period.Start),
            EndDate = Date(c.Period.End),
            Days = c.Days,
            SubsidisedDays = c.SubsidisedDays,
            ExcludedDays = c.Days - c.SubsidisedDays,
            ContractRateBp = Bp(c.ContractRate),
            SubsidyRateBp = Bp(c.SubsidyRate.Rate),
            Formula = c.Formula == SubsidyFormulaVersion.V2 ? SubsidyFormula.V2 : SubsidyFormula.V3,
            FormulaExplanation = c.SubsidyRate.Explanation,
            LprEffectiveFromDate = Date(c.SubsidyRate.Lpr?.EffectiveFrom),
            LprBp = c.SubsidyRate.Lpr is { } lpr ? Bp(lpr.OneYear) : "",
            InterestFen = c.Interest.Fen,
            SubsidyFen = c.Subsidy.Fen,
            BorrowerShareFen = c.BorrowerShare.Fen,
            DisbursementDate = Date(disbursed),
        };
        reply.Segments.AddRange(c.Segments.Select(s => new Contracts.V1.SubsidySegment
        {
            StartDate = Date(s.Range.Start),
            EndDate = Date(s.Range.End),
            Days = s.Days,
            PrincipalFen = s.Principal.Fen,
            Subsidised = s.Subsidised,
            ExcludedBecause = s.ExcludedBecause switch
            {
                SubsidyExclusionReason.Overdue => "OVERDUE",
                SubsidyExclusionReason.Extension => "EXTENSION",
                _ => "",
            },
            InterestUnroundedFen = s.InterestUnroundedFen.ToString(CultureInfo.InvariantCulture),
            SubsidyUnroundedFen = s.SubsidyUnroundedFen.ToString(CultureInfo.InvariantCulture),
        }));
        reply.PolicyVersions.AddRange(c.Versions.Select(LoanMappingRefs.Ref));
        return reply;
    }
}
