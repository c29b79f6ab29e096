using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class LoanLifecycleTests
{
    private static readonly WorkingCalendar Calendar = PolicySeed.Calendar;

    private static PolicySnapshot Policy(string on) => PolicySeed.Resolver.At(RegionCode.Guangzhou, D(on));

    [Fact]
    public void A_loan_goes_from_submission_to_disbursement_through_every_review_step()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        Assert.Equal(LoanState.Current, loan.State);
        Assert.Equal(D("2027-06-10"), loan.Data.MaturityDate);
        Assert.Equal(Examples.Principal, loan.Data.OutstandingPrincipal);
        Assert.Equal(Ratio.FromBp(8000), loan.Data.FundRiskShare);
        Assert.Contains("CN-GD-GZ:RISK_SHARE_FUND_BP:2024-02-06", loan.Data.PolicyVersionIds);
        Assert.Contains("CN-GD:PUBLICITY_LENGTH:2020-01-01", loan.Data.PolicyVersionIds);
    }

    [Fact]
    public void Publicity_cannot_conclude_before_it_has_ended()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InPublicity();
        var early = loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-05")).AddTicks(-1), Calendar);
        Assert.Equal(ReasonCodes.PublicityNotEnded, early.Refusal!.Code);
        Assert.Equal(LoanState.Publicity, loan.State);
        Assert.True(loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-05")), Calendar).IsOk);
        Assert.Equal(LoanState.DueDiligence, loan.State);
    }

    [Fact]
    public void An_objection_suspends_publicity_and_a_dismissal_resumes_it_for_the_days_lost()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InPublicity();
        Assert.True(loan.LodgeObjection(D("2025-06-03"), Calendar).IsOk);
        Assert.Equal(LoanState.Objection, loan.State);
        Assert.Equal(ReasonCodes.ObjectionPending, loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-30")), Calendar).Refusal!.Code);
        Assert.True(loan.DismissObjection(D("2025-06-06"), Calendar).IsOk);
        Assert.Equal(LoanState.Publicity, loan.State);
        // 3 days lost (06-03, 06-04, 06-05): concludes 2025-06-08 00:00 CST instead of 06-05.
        Assert.Equal(ChinaStandardTime.StartOfDay(D("2025-06-08")), loan.PublicityConcludesAt(Calendar).Value);
        Assert.Equal(ReasonCodes.PublicityNotEnded, loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-07")), Calendar).Refusal!.Code);
        Assert.True(loan.ConcludePublicity(ChinaStandardTime.StartOfDay(D("2025-06-08")), Calendar).IsOk);
    }

    [Fact]
    public void An_upheld_objection_rejects_the_application()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InPublicity();
        Assert.True(loan.LodgeObjection(D("2025-06-03"), Calendar).IsOk);
        Assert.True(loan.UpholdObjection("applicant already runs a funded business").IsOk);
        Assert.Equal(LoanState.Rejected, loan.State);
        Assert.Equal(ReasonCodes.ObjectionUpheld, loan.Data.RejectionReason);
    }

    [Fact]
    public void Illegal_transitions_are_refused_with_from_and_to()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Submitted();
        var refused = loan.Disburse(D("2025-06-10"));
        Assert.Equal(ReasonCodes.IllegalTransition, refused.Refusal!.Code);
        Assert.Equal("SUBMITTED", refused.Refusal.Details["from"]);
        Assert.Equal("CURRENT", refused.Refusal.Details["to"]);
        Assert.Equal(LoanState.Submitted, loan.State);
    }

    [Fact]
    public void Approval_needs_both_due_diligences()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InDueDiligence();
        var approval = LoanApproval.Check(Examples.Terms(Examples.Principal), PolicySeed.Resolver, PolicySeed.Lpr);
        Assert.True(loan.RecordDueDiligence(bank: true, fund: false).IsOk);
        Assert.Equal(ReasonCodes.DueDiligenceIncomplete, loan.Approve(approval).Refusal!.Code);
        Assert.True(loan.RecordDueDiligence(bank: false, fund: true).IsOk);
        Assert.True(loan.Approve(approval).IsOk);
    }

    [Fact]
    public void Approval_with_failed_limits_is_refused_with_their_reason()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InDueDiligence();
        loan.RecordDueDiligence(true, true);
        var approval = LoanApproval.Check(Examples.Terms(Examples.Principal, ratePercent: 3.60m), PolicySeed.Resolver, PolicySeed.Lpr);
        Assert.Equal(ReasonCodes.RateAboveCap, loan.Approve(approval).Refusal!.Code);
        Assert.Equal(LoanState.DueDiligence, loan.State);
    }

    [Theory]
    [InlineData(LoanState.Submitted)]
    [InlineData(LoanState.EligibilityReview)]
    [InlineData(LoanState.Publicity)]
    [InlineData(LoanState.Objection)]
    [InlineData(LoanState.DueDiligence)]
    public void Review_steps_can_be_rejected_or_withdrawn(LoanState from)
    {
        Assert.True(LoanTransitions.IsAllowed(from, LoanState.Rejected));
        Assert.True(LoanTransitions.IsAllowed(from, LoanState.Withdrawn));
    }

    [Fact]
    public void Extension_is_allowed_once_for_at_most_12_months()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        Assert.Equal(ReasonCodes.ExtensionTooLong, loan.Extend(D("2027-05-01"), 13, Policy("2027-05-01")).Refusal!.Code);
        Assert.True(loan.Extend(D("2027-05-01"), 12, Policy("2027-05-01")).IsOk);
        Assert.Equal(LoanState.Extended, loan.State);
        Assert.Equal(D("2028-06-10"), loan.Data.MaturityDate);
        Assert.Equal(D("2027-06-10"), loan.Data.ExtendedFromDate);
        Assert.Equal(ReasonCodes.ExtensionLimitReached, loan.Extend(D("2027-07-01"), 1, Policy("2027-07-01")).Refusal!.Code);
        Assert.Equal(1, loan.Data.Extensions);
    }

    [Fact]
    public void Extension_days_are_excluded_from_subsidy()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        loan.Extend(D("2027-05-01"), 6, Policy("2027-05-01"));
        var exclusion = Assert.Single(loan.SubsidyExclusions(Range("2027-03-20", "2027-06-20")));
        Assert.Equal(SubsidyExclusionReason.Extension, exclusion.Reason);
        Assert.Equal(D("2027-06-10"), exclusion.Range.Start);
    }

    [Fact]
    public void Repayments_pay_interest_first_then_principal_and_full_payment_settles_early()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-20");
        // Quarter to 2025-09-20: 92 days → 1,788.89 interest.
        Assert.Equal("1,788.89", loan.InterestDueOn(D("2025-09-20")).ToString());
        var first = loan.RecordRepayment(D("2025-09-20"), Money.Parse("2000.00")).Value;
        Assert.Equal(Money.Parse("1788.89"), first.Interest);
        Assert.Equal(Money.Parse("211.11"), first.Principal);
        Assert.Equal(Money.Parse("199788.89"), loan.Data.OutstandingPrincipal);

        var settle = loan.EarlySettlementAmount(D("2025-10-20"));
        Assert.True(loan.RecordRepayment(D("2025-10-20"), settle).IsOk);
        Assert.Equal(LoanState.Settled, loan.State);
        Assert.Equal(D("2025-10-20"), loan.Data.SettledDate);
    }

    [Fact]
    public void A_partial_interest_payment_leaves_unpaid_interest_and_overpayment_is_refused()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-20");
        var partial = loan.RecordRepayment(D("2025-09-20"), Money.Parse("1000.00")).Value;
        Assert.Equal(Money.Zero, partial.Principal);
        Assert.Equal(Money.Parse("788.89"), loan.Data.UnpaidInterest);
        Assert.Equal(ReasonCodes.RepaymentExceedsDebt, loan.RecordRepayment(D("2025-09-20"), Money.Parse("200788.90")).Refusal!.Code);
    }

    [Fact]
    public void Overdue_loan_can_be_claimed_only_after_more_than_90_days_and_then_compensated_and_written_off()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-20");
        Assert.True(loan.MarkOverdue(OverdueDays.FirstOverdueDay(D("2025-09-20"))).IsOk);
        Assert.Equal(90, loan.OverdueDaysOn(D("2025-12-19")));
        Assert.Equal(ReasonCodes.NotOverdueLongEnough, loan.FileClaim(D("2025-12-19"), Policy("2025-12-19")).Refusal!.Code);
        Assert.True(loan.FileClaim(D("2025-12-20"), Policy("2025-12-20")).IsOk);
        Assert.Equal(LoanState.Claimed, loan.State);

        var compensation = CompensationCalculator.Compute(loan.Data.OutstandingPrincipal, loan.InterestDueOn(D("2025-12-20")), false,
            PolicySeed.Resolver, RegionCode.Guangzhou, loan.Data.GuaranteeDate!.Value, D("2025-12-20")).Value;
        Assert.True(loan.RecordCompensation(D("2026-01-15"), compensation).IsOk);
        Assert.True(loan.StartRecovery().IsOk);
        Assert.Equal(ReasonCodes.WriteOffTooEarly, loan.WriteOff(D("2027-01-15"), false, Policy("2027-01-15")).Refusal!.Code);
        Assert.True(loan.WriteOff(D("2028-01-15"), false, Policy("2028-01-15")).IsOk);
        Assert.Equal(LoanState.WrittenOff, loan.State);
    }

    [Fact]
    public void Cured_overdue_days_stay_excluded_from_subsidy()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-20");
        loan.MarkOverdue(D("2025-07-01"));
        Assert.True(loan.Cure(D("2025-07-13")).IsOk);
        Assert.Equal(LoanState.Current, loan.State);
        var request = new SubsidyRequest(RegionCode.Guangzhou, PrincipalTimeline.Disbursed(D("2025-06-20"), Examples.Principal),
            Examples.ContractRate, D("2025-06-01"), D("2025-06-20"), Range("2025-06-20", "2025-09-20"), loan.SubsidyExclusions(Range("2025-06-20", "2025-09-20")));
        var subsidy = SubsidyCalculator.Calculate(request, PolicySeed.Resolver, PolicySeed.Lpr).Value;
        Assert.Equal(92 - 12, subsidy.SubsidisedDays);
    }

    [Fact]
    public void Loan_rehydrates_from_its_data()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        var copy = Loan.Rehydrate(loan.Data);
        Assert.Equal(loan.Data, copy.Data);
        Assert.True(copy.MarkOverdue(D("2025-09-21")).IsOk);
        Assert.Equal(LoanState.Current, loan.State);
    }

    [Fact]
    public void Loan_state_codes_round_trip()
    {
        foreach (var state in Enum.GetValues<LoanState>())
            Assert.Equal(state, LoanStateCodes.FromCode(state.ToCode()));
        Assert.Equal("ELIGIBILITY_REVIEW", LoanState.EligibilityReview.ToCode());
        Assert.Equal("WRITTEN_OFF", LoanState.WrittenOff.ToCode());
    }
}

public class LoanObjectionTimingTests
{
    [Fact]
    public void An_objection_after_the_publicity_has_ended_is_refused()
    {
        var loan = LoanBuilder.Individual().Guangzhou().InPublicity(); // published 2025-06-02 for 3 days
        Assert.Equal(ReasonCodes.PublicityEnded, loan.LodgeObjection(Dates.D("2025-06-05"), PolicySeed.Calendar).Refusal!.Code);
        Assert.True(loan.LodgeObjection(Dates.D("2025-06-04"), PolicySeed.Calendar).IsOk);
    }

    [Fact]
    public void Principal_timeline_from_repayments_drives_interest_day_by_day()
    {
        var timeline = PrincipalTimeline.FromRepayments(Dates.D("2025-06-20"), Examples.Principal,
            [(Dates.D("2025-08-01"), Money.FromWholeYuan(50_000)), (Dates.D("2025-08-01"), Money.FromWholeYuan(50_000)), (Dates.D("2025-09-01"), Money.Zero)]);
        Assert.Equal(Money.FromWholeYuan(100_000), timeline.PrincipalOn(Dates.D("2025-08-01")));
        Assert.Equal(Examples.Principal, timeline.PrincipalOn(Dates.D("2025-07-31")));
        Assert.Throws<ArgumentException>(() => PrincipalTimeline.FromRepayments(Dates.D("2025-06-20"), Examples.Principal,
            [(Dates.D("2025-08-01"), Money.FromWholeYuan(200_001))]));
    }
}
