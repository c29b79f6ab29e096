using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>Terms may be amended after submission and before disbursement, checked again under the new contract date.</summary>
public class AmendTermsTests
{
    private static Result<TermsAmendment> Amend(Loan loan, TermsChange change) => loan.AmendTerms(change, PolicySeed.Resolver, PolicySeed.Lpr);

    [Fact]
    public void Amended_terms_are_checked_under_the_policy_of_the_new_contract_date()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Approved();
        // 25万 is above the 20万 cap in force on 2023-09-30: refused, nothing changes.
        var refused = Amend(loan, new TermsChange { ContractDate = D("2023-09-30"), Amount = Money.FromWholeYuan(250_000) });
        Assert.Equal(ReasonCodes.AmountAboveCap, refused.Refusal!.Code);
        Assert.Contains(refused.Refusal.Versions, v => v.Id == "CN:INDIVIDUAL_LOAN_CAP:2020-04-15");
        Assert.Equal(D("2025-06-01"), loan.Data.ContractDate);
        Assert.Equal(Examples.Principal, loan.Data.Amount);

        var amended = Amend(loan, new TermsChange { ContractDate = D("2025-07-01"), Amount = Money.FromWholeYuan(300_000), ContractRate = Rate.FromPercent(3.40m) }).Value;
        Assert.Equal(new AmendableTerms(D("2025-06-01"), Examples.Principal, Rate.FromPercent(3.50m), true), amended.Before);
        Assert.Equal(new AmendableTerms(D("2025-07-01"), Money.FromWholeYuan(300_000), Rate.FromPercent(3.40m), true), amended.After);
        Assert.Equal(Money.FromWholeYuan(100_000), amended.AmountDelta);
        Assert.Equal(LoanState.Approved, loan.State);
        Assert.Equal(Money.FromWholeYuan(300_000), loan.Data.Amount);
        Assert.Contains("CN:INDIVIDUAL_LOAN_CAP:2023-10-01", loan.Data.PolicyVersionIds);
    }

    [Fact]
    public void An_amended_rate_above_the_cap_on_the_new_contract_date_is_refused()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Submitted();
        Assert.Equal(ReasonCodes.RateAboveCap, Amend(loan, new TermsChange { ContractRate = Rate.FromPercent(3.60m) }).Refusal!.Code);
        // 2023-09-30: LPR 3.45% + 0.50% → 3.95% is within the cap then.
        Assert.True(Amend(loan, new TermsChange { ContractDate = D("2023-09-30"), ContractRate = Rate.FromPercent(3.95m) }).IsOk);
    }

    [Fact]
    public void Terms_cannot_be_amended_after_disbursement()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed();
        var refused = Amend(loan, new TermsChange { Amount = Money.FromWholeYuan(100_000) });
        Assert.Equal(ReasonCodes.TermsLockedAfterDisbursement, refused.Refusal!.Code);
        Assert.Equal("CURRENT", refused.Refusal.Details["state"]);
        Assert.Equal(Examples.Principal, loan.Data.Amount);
    }
}

/// <summary>policy.md §4, §8: early settlement, legal-representative change and closure are reported within 10 working days.</summary>
public class LoanEventReportTests
{
    private static Result<LoanEventReport> File(string eventDate, string reportedOn) =>
        LoanEventReport.File(LoanEventKind.EarlySettlement, D(eventDate), D(reportedOn),
            PolicySeed.Resolver.At(RegionCode.Guangzhou, D(eventDate)), PolicySeed.Calendar);

    [Fact]
    public void Reporting_deadline_is_10_working_days_on_the_official_calendar()
    {
        // Mon 2025-09-29: 09-30, (10-01…10-08 off), 10-09, 10-10, (10-11 make-up Saturday), 10-13 … 10-17, 10-20.
        var onTime = File("2025-09-29", "2025-10-20").Value;
        Assert.Equal(D("2025-10-20"), onTime.Deadline);
        Assert.False(onTime.IsLate);
        Assert.Contains(onTime.Versions, v => v.Key == PolicyParameters.ReportingDeadlineWorkingDays);
        var late = File("2025-09-29", "2025-10-21").Value;
        Assert.True(late.IsLate);
        Assert.Equal(1, late.DaysLate);
    }

    [Fact]
    public void A_report_before_its_event_is_refused_and_a_year_without_a_calendar_too()
    {
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, File("2025-09-29", "2025-09-28").Refusal!.Code);
        Assert.Equal(ReasonCodes.CalendarYearNotLoaded, File("2026-12-28", "2027-01-20").Refusal!.Code);
    }

    [Fact]
    public void Event_kinds_have_stable_codes()
    {
        foreach (var kind in Enum.GetValues<LoanEventKind>())
            Assert.Equal(kind, LoanEventKindCodes.FromCode(kind.ToCode()));
        Assert.Equal("LEGAL_REPRESENTATIVE_CHANGE", LoanEventKind.LegalRepresentativeChange.ToCode());
    }
}

/// <summary>Business dates follow the dates before them and never lie after today (contract dates: at most 90 days ahead).</summary>
public class LoanDatesTests
{
    private static readonly DateOnly Today = D("2025-07-01");

    private static readonly LoanDateFacts Facts = new()
    {
        ApplicationDate = D("2025-05-20"),
        ApprovalDate = D("2025-06-05"),
        ContractDate = D("2025-06-01"),
        GuaranteeDate = D("2025-06-08"),
        DisbursementDate = D("2025-06-10"),
    };

    [Fact]
    public void Guarantee_and_disbursement_may_not_precede_application_or_approval()
    {
        var guarantee = LoanDates.Check(LoanDateEvent.Guarantee, "guarantee_date", D("2025-06-04"), Facts with { GuaranteeDate = null, DisbursementDate = null }, Today);
        var refusal = Assert.Single(guarantee);
        Assert.Equal(new FieldRefusal("guarantee_date", ReasonCodes.DateBeforePreviousEvent, "2025-06-04 is before the approval date 2025-06-05"), refusal);
        var disbursement = LoanDates.Check(LoanDateEvent.Disbursement, "business_date", D("2025-05-19"), Facts with { DisbursementDate = null }, Today);
        Assert.Equal(new[] { "application", "approval", "contract", "guarantee" },
            disbursement.Select(r => r.Message.Split(" the ")[1].Split(" date")[0]));
        Assert.Empty(LoanDates.Check(LoanDateEvent.Disbursement, "business_date", D("2025-06-10"), Facts with { DisbursementDate = null }, Today));
    }

    [Fact]
    public void A_repayment_before_disbursement_or_after_today_is_refused_field_by_field()
    {
        var early = LoanDates.Check(LoanDateEvent.Repayment, "business_date", D("2025-06-09"), Facts, Today);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, Assert.Single(early).Code);
        var future = LoanDates.Check(LoanDateEvent.Repayment, "business_date", D("2025-07-02"), Facts, Today);
        Assert.Equal(new FieldRefusal("business_date", ReasonCodes.DateInFuture, "2025-07-02 is after today (2025-07-01)"), Assert.Single(future));
    }

    [Fact]
    public void A_contract_date_may_be_up_to_90_days_ahead_but_not_before_the_application()
    {
        Assert.Empty(LoanDates.Check(LoanDateEvent.Contract, "contract_date", D("2025-09-29"), Facts, Today));
        Assert.Equal(ReasonCodes.DateTooFarAhead, Assert.Single(LoanDates.Check(LoanDateEvent.Contract, "contract_date", D("2025-09-30"), Facts, Today)).Code);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, Assert.Single(LoanDates.Check(LoanDateEvent.Contract, "contract_date", D("2025-05-19"), Facts, Today)).Code);
    }

    [Fact]
    public void Facts_come_from_the_stored_loan()
    {
        var loan = LoanBuilder.Individual().Guangzhou().Disbursed("2025-06-10");
        LoanBuilder.Ok(loan.RecordRepayment(D("2025-06-20"), loan.InterestDueOn(D("2025-06-20"))));
        var facts = LoanDateFacts.Of(loan.Data, applicationDate: D("2025-05-20"));
        Assert.Equal(D("2025-06-20"), facts.LatestRepaymentDate);
        Assert.Equal(ReasonCodes.DateBeforePreviousEvent, Assert.Single(LoanDates.Check(LoanDateEvent.Repayment, "business_date", D("2025-06-19"), facts, Today)).Code);
    }

    [Fact]
    public void A_report_date_may_not_precede_its_event_or_follow_today()
    {
        Assert.Equal(2, LoanDates.CheckReport("reported_date", D("2025-07-02"), D("2025-07-03"), Today).Count);
        Assert.Empty(LoanDates.CheckReport("reported_date", D("2025-07-01"), D("2025-06-30"), Today));
    }
}
