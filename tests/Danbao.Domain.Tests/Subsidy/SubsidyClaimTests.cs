using Danbao.Domain.Subsidy;
using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class SubsidyClaimTests
{
    private static readonly ClaimQuarter Q3 = ClaimQuarter.Parse("2025-Q3").Value;
    private static readonly ClaimQuarter Q2 = ClaimQuarter.Parse("2025-Q2").Value;

    /// <summary>Example 3: 92 days, interest 1,788.89, subsidy 894.44.</summary>
    private static ClaimLineVerdict Verdict(ClaimLineFlag flag = ClaimLineFlag.Matches, long expectedFen = 89_444) =>
        flag == ClaimLineFlag.NotPayable
            ? new(flag, SubsidyReasons.InterestNotPaid, null, 0, Money.Zero, Money.Zero, Money.Zero, null, "")
            : new(flag, null, Range("2025-06-20", "2025-09-20"), 0, Money.FromFen(178_889), Money.FromFen(expectedFen), Money.FromFen(178_889), SubsidyFormulaVersion.V3, "");

    private static ClaimLineInput Input(string loan, long claimedFen = 89_444) => new(loan, Money.FromFen(178_889), Money.FromFen(claimedFen));

    private static SubsidyClaim Draft() => SubsidyClaim.Open("C1", "icbc-gz", RegionCode.Guangzhou, Q3, D("2025-10-10")).Value;

    private static SubsidyClaim Settled(params (string Loan, long ClaimedFen)[] lines)
    {
        var claim = Draft();
        foreach (var (loan, fen) in lines)
            LoanBuilder.Ok(claim.AddLine(Input(loan, fen), Q3, Verdict(), D("2025-10-10")));
        LoanBuilder.Ok(claim.Submit());
        LoanBuilder.Ok(claim.Review([], approveRest: true));
        LoanBuilder.Ok(claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance"));
        return claim;
    }

    private static readonly SubsidyLineKey L1 = new("L1", Q3);

    [Fact]
    public void A_claim_is_opened_only_in_the_month_after_its_quarter()
    {
        Assert.True(SubsidyClaim.Open("C1", "icbc-gz", RegionCode.Guangzhou, Q3, D("2025-10-31")).IsOk);
        Assert.Equal(SubsidyReasons.ClaimWindowClosed, SubsidyClaim.Open("C1", "icbc-gz", RegionCode.Guangzhou, Q3, D("2025-11-01")).Refusal!.Code);
    }

    [Fact]
    public void Settling_pays_the_bank_894_44_in_one_balanced_transaction_with_a_line_per_loan()
    {
        var claim = Draft();
        LoanBuilder.Ok(claim.AddLine(Input("L1"), Q3, Verdict(), D("2025-10-10")));
        LoanBuilder.Ok(claim.Submit());
        LoanBuilder.Ok(claim.Review([], approveRest: true));
        var settled = claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance").Value;
        Assert.Equal(SubsidyClaimState.Settled, claim.State);
        var posting = settled.Posting;
        Assert.Equal([LedgerLeg.Debit("finance:gz-finance:subsidy_expense", Yuan("894.44")), LedgerLeg.Credit("bank:icbc-gz:subsidy_payable", Yuan("894.44"))], posting.Legs);
        Assert.Equal([new LedgerSubjectLine("loan", "L1", Yuan("894.44"))], posting.Lines);
        Assert.Equal((SubsidyLineDecision.Paid, Yuan("894.44")), (claim.Lines[0].Decision, claim.Lines[0].Approved));
        Assert.Equal(Yuan("894.44"), claim.Summary().Paid);
    }

    [Fact]
    public void Illegal_claim_transitions_are_refused_with_the_state_they_need()
    {
        var claim = Draft();
        Assert.Equal(SubsidyReasons.ClaimEmpty, claim.Submit().Refusal!.Code);
        Assert.Equal(SubsidyReasons.ClaimNotSubmitted, claim.Review([], true).Refusal!.Code);
        Assert.Equal(SubsidyReasons.ClaimNotReviewed, claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance").Refusal!.Code);
        LoanBuilder.Ok(claim.AddLine(Input("L1"), Q3, Verdict(), D("2025-10-10")));
        LoanBuilder.Ok(claim.Submit());
        var again = claim.Submit().Refusal!;
        Assert.Equal(SubsidyReasons.ClaimNotDraft, again.Code);
        Assert.Equal(("SUBMITTED", "SUBMITTED"), (again.Details["from"], again.Details["to"]));
        Assert.Equal(SubsidyReasons.ClaimNotDraft, claim.AddLine(Input("L2"), Q3, Verdict(), D("2025-10-10")).Refusal!.Code);
        LoanBuilder.Ok(claim.Review([], true));
        Assert.Equal(SubsidyReasons.ClaimNotSubmitted, claim.Review([], true).Refusal!.Code);
        Assert.Equal(SubsidyReasons.DateInFuture, claim.Settle(D("2025-10-26"), D("2025-10-25"), "gz-finance").Refusal!.Code);
        LoanBuilder.Ok(claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance"));
        Assert.Equal(SubsidyReasons.ClaimNotReviewed, claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance").Refusal!.Code);
    }

    [Fact]
    public void The_verdict_decides_what_a_line_pays_never_more_than_asked_or_computed()
    {
        var claim = Draft();
        LoanBuilder.Ok(claim.AddLine(Input("L1", 90_000), Q3, Verdict(ClaimLineFlag.Differs), D("2025-10-10")));
        LoanBuilder.Ok(claim.AddLine(Input("L2", 80_000), Q3, Verdict(ClaimLineFlag.Differs), D("2025-10-10")));
        var unpaid = claim.AddLine(Input("L3"), Q3, Verdict(ClaimLineFlag.NotPayable), D("2025-10-10")).Value;
        Assert.Equal((SubsidyLineDecision.Rejected, SubsidyReasons.InterestNotPaid), (unpaid.Decision, unpaid.RejectionReason));
        Assert.Equal(SubsidyReasons.LineExists, claim.AddLine(Input("L1"), Q3, Verdict(), D("2025-10-10")).Refusal!.Code);
        LoanBuilder.Ok(claim.Submit());
        Assert.Equal(SubsidyReasons.NotPayableLine, claim.Review([new(new("L3", Q3), true, null)], true).Refusal!.Code);
        Assert.Equal(SubsidyReasons.ReasonRequired, claim.Review([new(new("L2", Q3), false, " ")], true).Refusal!.Code);
        LoanBuilder.Ok(claim.Review([], approveRest: true));
        Assert.Equal([Money.FromFen(89_444), Money.FromFen(80_000), Money.Zero], claim.Lines.Select(l => l.Approved));
        var summary = claim.Summary();
        Assert.Equal((3, 2, 1, 1), (summary.All.Lines, summary.LinesApproved, summary.LinesRejected, summary.LinesNotPayable));
        Assert.Equal((Money.FromFen(169_444), Money.FromFen(178_888)), (summary.All.Approved, summary.All.Expected));
    }

    [Fact]
    public void A_late_line_needs_a_reason_and_the_finance_bureaus_own_decision()
    {
        var claim = Draft();
        // Q2's filing window closed on 2025-07-31; filed on 2025-10-10 it is late.
        Assert.Equal(SubsidyReasons.LateReasonRequired, claim.AddLine(Input("L1"), Q2, Verdict(), D("2025-10-10")).Refusal!.Code);
        var late = claim.AddLine(Input("L1"), Q2, Verdict(), D("2025-10-10"), "core banking outage in July").Value;
        Assert.Equal(LateFiling.Pending, late.Late);
        LoanBuilder.Ok(claim.AddLine(Input("L2"), Q2, Verdict(), D("2025-10-10"), "missed"));
        LoanBuilder.Ok(claim.AddLine(Input("L1"), Q3, Verdict(), D("2025-10-10")));
        Assert.Equal(SubsidyReasons.LineQuarterAfterClaim, claim.AddLine(Input("L9"), ClaimQuarter.Parse("2025-Q4").Value, Verdict(), D("2025-10-10")).Refusal!.Code);
        LoanBuilder.Ok(claim.Submit());
        // approve_all does not cover late lines: each is named.
        Assert.Equal(SubsidyReasons.LateLineUndecided, claim.Review([], approveRest: true).Refusal!.Code);
        LoanBuilder.Ok(claim.Review([new(new("L1", Q2), true, null), new(new("L2", Q2), false, "no evidence of the outage")], approveRest: true));
        var lines = claim.Lines.ToDictionary(l => l.Key);
        Assert.Equal((LateFiling.Accepted, SubsidyLineDecision.Approved), (lines[new("L1", Q2)].Late, lines[new("L1", Q2)].Decision));
        Assert.Equal((LateFiling.Refused, "no evidence of the outage"), (lines[new("L2", Q2)].Late, lines[new("L2", Q2)].RejectionReason));
        Assert.Equal(LateFiling.OnTime, lines[new("L1", Q3)].Late);
        Assert.Equal((2, 0), (claim.Summary().LinesLate, claim.Summary().LinesLatePending));
    }

    [Fact]
    public void A_claw_back_reverses_against_the_bank_and_leaves_the_paid_line_as_it_was()
    {
        var claim = Settled(("L1", 89_444));
        var before = claim.Lines[0];
        Assert.Equal(SubsidyReasons.ReasonRequired, claim.ClawBack(L1, Yuan("100.00"), "", D("2025-11-05"), D("2025-11-05")).Refusal!.Code);
        var (clawback, posting) = claim.ClawBack(L1, Yuan("100.00"), "borrower was not eligible (就业补助资金追回)", D("2025-11-05"), D("2025-11-05")).Value;
        Assert.Equal(Yuan("100.00"), clawback.Amount);
        Assert.Equal([LedgerLeg.Debit("bank:icbc-gz:subsidy_payable", Yuan("100.00")), LedgerLeg.Credit("finance:gz-finance:subsidy_expense", Yuan("100.00"))], posting.Legs);
        Assert.Equal("subsidy_clawback", posting.Kind);
        Assert.Equal(before, claim.Lines[0]);
        // 894.44 − 100.00 = 794.44 left to claw back, not a fen more.
        Assert.Equal(SubsidyReasons.ClawbackAbovePaid, claim.ClawBack(L1, Yuan("794.45"), "rest", D("2025-11-05"), D("2025-11-05")).Refusal!.Code);
        LoanBuilder.Ok(claim.ClawBack(L1, Yuan("794.44"), "rest", D("2025-11-05"), D("2025-11-05")));
        Assert.Equal((Yuan("894.44"), Yuan("894.44"), Money.Zero), (claim.Summary().Paid, claim.Summary().ClawedBack, claim.Summary().NetPaid));
        Assert.Equal(SubsidyReasons.ClaimNotSettled, Draft().ClawBack(L1, Yuan("1.00"), "x", D("2025-11-05"), D("2025-11-05")).Refusal!.Code);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, Settled(("L1", 89_444)).ClawBack(L1, Yuan("1.00"), "x", D("2025-10-19"), D("2025-11-05")).Refusal!.Code);
    }

    [Fact]
    public void The_bank_records_when_it_credited_the_borrower_not_before_settlement_nor_after_today()
    {
        var claim = Settled(("L1", 89_444));
        Assert.Equal(SubsidyReasons.PassThroughBeforeSettlement, claim.RecordPassThrough(L1, D("2025-10-19"), D("2025-10-25")).Refusal!.Code);
        Assert.Equal(SubsidyReasons.DateInFuture, claim.RecordPassThrough(L1, D("2025-10-26"), D("2025-10-25")).Refusal!.Code);
        Assert.Equal(SubsidyReasons.LineUnknown, claim.RecordPassThrough(new("L2", Q3), D("2025-10-20"), D("2025-10-25")).Refusal!.Code);
        var (pass, posting) = claim.RecordPassThrough(L1, D("2025-10-20"), D("2025-10-25")).Value;
        Assert.Equal((D("2025-10-20"), Yuan("894.44")), (pass.CreditedOn, pass.Amount));
        Assert.Equal([LedgerLeg.Debit("bank:icbc-gz:subsidy_payable", Yuan("894.44")), LedgerLeg.Credit("bank:icbc-gz:subsidy_passed_through", Yuan("894.44"))], posting.Legs);
        Assert.Equal(SubsidyReasons.PassThroughRecorded, claim.RecordPassThrough(L1, D("2025-10-21"), D("2025-10-25")).Refusal!.Code);
        Assert.Equal(Yuan("894.44"), claim.Summary().PassedThrough);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_reviews_rule_for_the_rest_counted_by_verdict_flag_changes_the_summary_as_deciding_each_line_does(bool approveRest)
    {
        // As computed, more asked, less asked, ineligible days (payable 700.00), and one line rejected by name.
        (string Loan, long Claimed, ClaimLineFlag Flag, long Expected)[] lines =
            [("L1", 89_444, ClaimLineFlag.Matches, 89_444), ("L2", 90_000, ClaimLineFlag.Differs, 89_444), ("L3", 80_000, ClaimLineFlag.Differs, 89_444),
             ("L4", 89_444, ClaimLineFlag.IneligibleDays, 70_000), ("L5", 89_444, ClaimLineFlag.Matches, 89_444)];
        SubsidyClaim Submitted()
        {
            var claim = Draft();
            foreach (var l in lines)
                LoanBuilder.Ok(claim.AddLine(Input(l.Loan, l.Claimed), Q3, Verdict(l.Flag, l.Expected), D("2025-10-10")));
            LoanBuilder.Ok(claim.Submit());
            return claim;
        }
        SubsidyLineReview[] named = [new(new("L5", Q3), false, "not employed here")];
        var eager = Submitted();
        var before = eager.Summary();
        LoanBuilder.Ok(eager.Review(named, approveRest));

        // The set-based review: the named line one by one, the rest per flag from the counters kept since filing.
        var kept = Submitted();
        var review = kept.ReviewInPlace(named, approveRest).Value;
        var groups = kept.Lines.Where(SubsidyRestDecision.Covers).GroupBy(l => l.Verdict.Flag)
            .Select(g => new SubsidyRestGroup(g.Key, g.Count(), Money.Sum(g.Select(l => l.PayableAmount)))).ToArray();
        var namedBefore = new SubsidyClaimSummary.Tally();
        var after = new SubsidyClaimSummary.Tally();
        namedBefore.Add(Submitted().Lines.Single(l => l.LoanId == "L5"));
        after.Add(Assert.Single(review.Named));
        // The same groups without reading a line: the claim's counters as filing left them, moved by the named line.
        var left = SubsidyRestDecision.Left(before.RestByFlag.Values, after.Build().Minus(namedBefore.Build()));
        Assert.Equal(groups.OrderBy(g => g.Flag), left.Where(g => g.Lines > 0).OrderBy(g => g.Flag));
        review.Rest.CountInto(after, left);
        var change = after.Build().Minus(namedBefore.Build());
        var expected = eager.Summary().Minus(before);
        Assert.Equal(expected.All, change.All);
        Assert.Equal(expected.ByFlag.OrderBy(kv => kv.Key), change.ByFlag.OrderBy(kv => kv.Key));
        Assert.Equal(expected.LinesByDecision.OrderBy(kv => kv.Key), change.LinesByDecision.OrderBy(kv => kv.Key));
        Assert.Equal(approveRest ? Yuan("3288.88") : Money.Zero, change.All.Approved);
        // The counters of pending on-time lines (kept since filing) are emptied: all five lines leave them.
        Assert.Equal(expected.RestByFlag.OrderBy(kv => kv.Key), change.RestByFlag.OrderBy(kv => kv.Key));
        Assert.Equal((-2, -Yuan("1788.88").Fen), (change.RestByFlag[ClaimLineFlag.Matches].Lines, change.RestByFlag[ClaimLineFlag.Matches].Payable.Fen));

        // An approved rest is kept on the claim: rehydrated with it, the pending lines are the eager review's decisions,
        // and settle alike. (A rejected rest is written to the lines by the caller.)
        if (!approveRest)
            return;
        var reviewed = SubsidyClaim.Rehydrate(kept.Data);
        Assert.Equal(eager.Lines, reviewed.Lines);
        var paid = eager.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance").Value;
        Assert.Equal(paid.Posting.Lines, reviewed.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance").Value.Posting.Lines);
        Assert.Equal(4, paid.Posting.Lines.Count);
    }

    [Fact]
    public void The_summary_adds_up_per_verdict_and_settlement_pays_exactly_the_approved_lines() =>
        Prop.ForAll(
            Gen.ArrayOf(
                from flag in Gen.Elements(Enum.GetValues<ClaimLineFlag>())
                from claimed in Gen.Choose(0, 2_000_000)
                from expected in Gen.Choose(0, 2_000_000)
                from approve in Gen.Elements(true, false)
                select (flag, claimed, expected, approve)).ToArbitrary(),
            lines =>
            {
                var claim = Draft();
                for (var i = 0; i < lines.Length; i++)
                    LoanBuilder.Ok(claim.AddLine(Input($"L{i}", lines[i].claimed), Q3, Verdict(lines[i].flag, lines[i].expected), D("2025-10-10")));
                if (lines.Length == 0)
                    return claim.Submit().Refusal!.Code == SubsidyReasons.ClaimEmpty;
                LoanBuilder.Ok(claim.Submit());
                var reviews = lines.Select((l, i) => (l, i)).Where(t => t.l.flag != ClaimLineFlag.NotPayable)
                    .Select(t => new SubsidyLineReview(new($"L{t.i}", Q3), t.l.approve, "no")).ToArray();
                LoanBuilder.Ok(claim.Review(reviews, approveRest: false));
                var s = claim.Summary();
                var byFlagAddsUp = s.ByFlag.Values.Sum(t => t.Lines) == lines.Length
                    && Money.Sum(s.ByFlag.Values.Select(t => t.Approved)) == s.All.Approved
                    && Money.Sum(s.ByFlag.Values.Select(t => t.Claimed)) == s.All.Claimed;
                var neverAboveVerdict = claim.Lines.All(l => l.Approved <= l.Claimed.SubsidyClaimed && l.Approved <= l.Verdict.ExpectedSubsidy && (l.IsPayable || l.Approved.IsZero));
                var settled = claim.Settle(D("2025-10-20"), D("2025-10-25"), "gz-finance");
                var paysApproved = settled.IsOk ? settled.Value.Posting.Total == s.All.Approved && claim.Summary().Paid == s.All.Approved
                    : s.All.Approved.IsZero && settled.Refusal!.Code == SubsidyReasons.NothingApproved;
                return byFlagAddsUp && neverAboveVerdict && paysApproved;
            }).QuickCheckThrowOnFailure();
}
