using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Fund;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Loans;

/// <summary>The loan rules of the audit (issue 11), each through the API: amendments, event reports, date order, listing, residency, good payers.</summary>
public sealed class LoanRuleTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private static int _people;

    private static string NewPerson(string area = "440106")
    {
        var n = Interlocked.Increment(ref _people);
        return TestIdNumbers.Make(new DateOnly(1988, 3, 1).AddDays(n * 5), male: n % 2 == 1, area: area);
    }

    private static (string Field, string Description) Violation(RpcException e, string field)
    {
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        return Assert.Single(e.FieldViolations(), v => v.Field == field);
    }

    // ---- AmendLoanTerms ----

    [Fact]
    public async Task Amended_terms_are_rechecked_under_the_policy_of_the_new_contract_date()
    {
        var steps = new LoanSteps(server);
        var request = LoanSteps.Individual(idNumber: NewPerson());
        request.Loan.ApplicationDate = "2023-09-01";
        request.Loan.ContractDate = "2023-09-01";
        var loan = await steps.Approved(request);
        // 30万 on a contract of 2023-09-15: the cap then was 20万.
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.AmendLoanTermsAsync(new AmendLoanTermsRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, ContractDate = "2023-09-15", AmountFen = 300_000_00,
        }));
        Assert.Equal((StatusCode.FailedPrecondition, "AMOUNT_ABOVE_CAP"), (refused.StatusCode, refused.Reason()));
        // Signed on 2023-10-08 instead, 30万 is within the new cap (from 2023-10-01).
        var amended = await steps.Bank.Loans.AmendLoanTermsAsync(new AmendLoanTermsRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, ContractDate = "2023-10-08", AmountFen = 300_000_00, Reason = "signed after review",
        });
        Assert.Equal(("2023-10-08", 300_000_00L, LoanState.Approved), (amended.ContractDate, amended.AmountFen, amended.State));
        Assert.Contains(amended.PolicyVersions, v => v.Parameter == "INDIVIDUAL_LOAN_CAP" && v.EffectiveFromDate == "2023-10-01");
        var events = await steps.Bank.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name, PageSize = 100 });
        var audit = events.Events.Last();
        Assert.Equal("loan.terms_amended", audit.Action);
        using var detail = System.Text.Json.JsonDocument.Parse(audit.DetailJson);
        var before = detail.RootElement.GetProperty("before");
        var after = detail.RootElement.GetProperty("after");
        Assert.Equal(("2023-09-01", 200_000_00L), (before.GetProperty("contract_date").GetString(), before.GetProperty("amount_fen").GetInt64()));
        Assert.Equal(("2023-10-08", 300_000_00L), (after.GetProperty("contract_date").GetString(), after.GetProperty("amount_fen").GetInt64()));
        Assert.Equal("signed after review", detail.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Amending_terms_needs_the_current_etag_and_is_refused_after_disbursement()
    {
        var steps = new LoanSteps(server);
        var approved = await steps.Approved(LoanSteps.Individual(idNumber: NewPerson()));
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.AmendLoanTermsAsync(new AmendLoanTermsRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = approved.Name, Etag = "1", ContractRateBp = 340,
        }));
        Assert.Equal("ETAG_MISMATCH", stale.Reason());
        var disbursed = await steps.Disburse(await steps.Guarantee(approved));
        var locked = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.AmendLoanTermsAsync(new AmendLoanTermsRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = disbursed.Name, Etag = disbursed.Etag, ContractRateBp = 340,
        }));
        Assert.Equal("TERMS_LOCKED_AFTER_DISBURSEMENT", locked.Reason());
    }

    // ---- ReportLoanEvent ----

    [Fact]
    public async Task An_event_report_is_due_within_10_working_days_on_the_official_calendar_and_later_ones_are_flagged_late()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed(LoanSteps.Individual(idNumber: NewPerson()));
        // Event Monday 2025-09-29: the National Day week is off, so the 10th working day is 2025-10-20.
        var onTime = await steps.Bank.Loans.ReportLoanEventAsync(new ReportLoanEventRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Kind = LoanEventKind.BusinessClosure, EventDate = "2025-09-29", ReportedDate = "2025-10-20",
        });
        Assert.Equal(("2025-10-20", false, 0), (onTime.DeadlineDate, onTime.Late, onTime.DaysLate));
        var late = await steps.Bank.Loans.ReportLoanEventAsync(new ReportLoanEventRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Kind = LoanEventKind.LegalRepresentativeChange, EventDate = "2025-09-29", ReportedDate = "2025-10-22",
        });
        Assert.Equal(("2025-10-20", true, 2), (late.DeadlineDate, late.Late, late.DaysLate));

        // The fund operator of the region lists the late ones; the bank sees its own; another bank sees none of them.
        var lateList = await steps.Fund.Loans.ListLoanEventReportsAsync(new ListLoanEventReportsRequest { LateOnly = true, Loan = loan.Name });
        Assert.Equal([late.Name], lateList.Reports.Select(r => r.Name));
        var own = await steps.Bank.Loans.ListLoanEventReportsAsync(new ListLoanEventReportsRequest { Loan = loan.Name });
        Assert.Equal(2, own.Reports.Count);
        var other = await server.As("jmrcb").Loans.ListLoanEventReportsAsync(new ListLoanEventReportsRequest { Loan = loan.Name });
        Assert.Empty(other.Reports);
    }

    [Fact]
    public async Task An_event_before_disbursement_or_a_report_before_its_event_is_refused_field_by_field()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed(LoanSteps.Individual(idNumber: NewPerson()));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.ReportLoanEventAsync(new ReportLoanEventRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Kind = LoanEventKind.EarlySettlement, EventDate = "2025-06-10", ReportedDate = "2025-06-09",
        }));
        Assert.StartsWith("DATE_BEFORE_PREVIOUS_EVENT", Violation(refused, "event_date").Description, StringComparison.Ordinal);
        Assert.StartsWith("DATE_BEFORE_PREVIOUS_EVENT", Violation(refused, "reported_date").Description, StringComparison.Ordinal);
        var submitted = await steps.Submit(LoanSteps.Individual(idNumber: NewPerson()));
        var notLent = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.ReportLoanEventAsync(new ReportLoanEventRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = submitted.Name, Kind = LoanEventKind.BusinessClosure, EventDate = "2025-07-01",
        }));
        Assert.Equal((StatusCode.FailedPrecondition, "NOT_DISBURSED"), (notLent.StatusCode, notLent.Reason()));
    }

    // ---- Date order ----

    [Fact]
    public async Task A_contract_dated_2100_is_refused()
    {
        var request = LoanSteps.Individual(idNumber: NewPerson());
        request.Loan.ContractDate = "2100-01-01";
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new LoanSteps(server).Submit(request));
        Assert.StartsWith("DATE_TOO_FAR_AHEAD", Violation(refused, "loan.contract_date").Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_guarantee_dated_before_the_application_and_a_disbursement_before_the_guarantee_are_refused()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Approved(LoanSteps.Individual(idNumber: NewPerson()));
        var guarantee = await Assert.ThrowsAsync<RpcException>(async () => await steps.Guarantee(loan, "2025-05-31"));
        Assert.Contains("application date 2025-06-01", Violation(guarantee, "guarantee_date").Description, StringComparison.Ordinal);
        loan = await steps.Guarantee(loan, "2025-06-15");
        var disbursement = await Assert.ThrowsAsync<RpcException>(async () => await steps.Disburse(loan, "2025-06-14"));
        Assert.Contains("guarantee date 2025-06-15", Violation(disbursement, "disbursement_date").Description, StringComparison.Ordinal);
        // Nothing changed: the loan is still guaranteed at the same etag.
        Assert.Equal(loan.Etag, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).Etag);
    }

    // ---- ListLoans created-date filters ----

    [Fact]
    public async Task ListLoans_filters_by_the_created_date_in_china_standard_time()
    {
        // 2027-07-01 00:30 CST is 2027-06-30 16:30 UTC: created on the CST date 2027-07-01.
        server.Clock.Set(new DateTimeOffset(2027, 7, 1, 0, 30, 0, TimeSpan.FromHours(8)));
        var steps = new LoanSteps(server);
        var loan = await steps.Submit(LoanSteps.Individual(idNumber: NewPerson()));
        var on = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { CreatedFromDate = "2027-07-01", CreatedToDate = "2027-07-01", PageSize = 500 });
        Assert.Contains(on.Loans, l => l.Name == loan.Name);
        var before = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { CreatedToDate = "2027-06-30", PageSize = 500 });
        Assert.DoesNotContain(before.Loans, l => l.Name == loan.Name);
        var after = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { CreatedFromDate = "2027-07-02" });
        Assert.Empty(after.Loans);
    }

    // ---- Residency by document ----

    [Fact]
    public async Task Hong_Kong_residency_is_evidenced_by_the_810000_permit_never_declared()
    {
        var steps = new LoanSteps(server);
        var declared = LoanSteps.Individual(idNumber: NewPerson(), residency: Residency.HongKong);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Submit(declared));
        Violation(refused, "loan.borrower.person.residency");

        var permit = LoanSteps.Individual(idNumber: NewPerson(area: "810000"));
        permit.Loan.Borrower.Person.Residency = Residency.Unspecified;
        var loan = await steps.Review(await steps.Submit(permit));
        Assert.Equal((Residency.HongKong, IdentityDocumentType.HkMacauResidencePermit), (loan.Borrower.Person.Residency, loan.Borrower.Person.DocumentType));
        Assert.True(loan.HkMacauYouth);
    }

    [Fact]
    public async Task A_founder_holding_only_a_Home_Return_Permit_can_be_recorded_as_a_Macau_resident()
    {
        var steps = new LoanSteps(server);
        var request = LoanSteps.Individual();
        request.Loan.Borrower.Person = new Person
        {
            Name = "何嘉欣", IdNumber = "M12345678", DocumentType = IdentityDocumentType.HomeReturnPermit, BirthDate = "1996-04-02",
            Gender = Gender.Female, KeyGroup = KeyGroup.Graduate,
        };
        var loan = await steps.Review(await steps.Submit(request));
        Assert.Equal(("M1*****78", "", Residency.Macau), (loan.Borrower.Person.IdNumberMasked, loan.Borrower.Person.IdNumber, loan.Borrower.Person.Residency));
        Assert.True(loan.HkMacauYouth);
        var noBirthDate = LoanSteps.Individual();
        noBirthDate.Loan.Borrower.Person = new Person { Name = "何嘉欣", IdNumber = "M12345679", DocumentType = IdentityDocumentType.HomeReturnPermit, Gender = Gender.Female };
        Violation(await Assert.ThrowsAsync<RpcException>(async () => await steps.Submit(noBirthDate)), "loan.borrower.person.birth_date");
    }

    // ---- Good payers, partners' histories ----

    [Fact]
    public async Task A_borrower_whose_earlier_loan_was_compensated_is_refused_and_so_is_a_partnership_naming_them()
    {
        server.Clock.Set(new DateTimeOffset(2027, 7, 1, 10, 0, 0, TimeSpan.FromHours(8)));
        var fund = new FundSteps(server);
        var person = NewPerson();
        var first = await fund.Loans.Disbursed(LoanSteps.Individual(idNumber: person));
        var claim = await fund.Approve(await fund.Consents(await fund.File(first)));
        Assert.Equal(LoanState.Compensated, (await fund.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = first.Name })).State);

        var again = await fund.Loans.Review(await fund.Loans.Submit(LoanSteps.Individual(idNumber: person)));
        Assert.Equal((LoanState.Rejected, "PRIOR_LOAN_DEFAULTED"), (again.State, again.RejectionReason));

        var partnership = LoanSteps.Individual(amountFen: 500_000_00, idNumber: NewPerson());
        partnership.Loan.Borrower.Type = BorrowerType.Partnership;
        partnership.Loan.Borrower.Partners.Add(new Person { Name = "合伙人1", IdNumber = person, KeyGroup = KeyGroup.Veteran });
        var refused = await fund.Loans.Review(await fund.Loans.Submit(partnership));
        Assert.Equal("PRIOR_LOAN_DEFAULTED", refused.RejectionReason);
        Assert.Contains("partner 1: ", refused.RejectionMessage, StringComparison.Ordinal);
        Assert.NotNull(claim);
    }

    // ---- Partnership term, counter-guarantee scope (policy.md §3) ----

    private static CreateLoanRequest Partnership(long amountFen, int termMonths, bool counterGuarantee)
    {
        var request = LoanSteps.Individual(amountFen: amountFen, idNumber: NewPerson(), counterGuarantee: counterGuarantee);
        request.Loan.Borrower.Type = BorrowerType.Partnership;
        request.Loan.TermMonths = termMonths;
        request.Loan.Borrower.Partners.Add(new Person { Name = "合伙人1", IdNumber = NewPerson(), KeyGroup = KeyGroup.Veteran });
        return request;
    }

    [Fact]
    public async Task A_partnership_is_an_individual_founders_loan_of_up_to_36_months()
    {
        var steps = new LoanSteps(server);
        var ok = await steps.Submit(Partnership(300_000_00, 36, counterGuarantee: true));
        Assert.Equal((LoanState.Submitted, 36), (ok.State, ok.TermMonths));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Submit(Partnership(300_000_00, 37, counterGuarantee: true)));
        Assert.Equal("TERM_TOO_LONG", refused.Reason());
    }

    [Fact]
    public async Task The_100_000_yuan_counter_guarantee_exemption_covers_personal_loans_and_not_enterprise_loans()
    {
        var steps = new LoanSteps(server);
        Assert.Equal(LoanState.Submitted, (await steps.Submit(Partnership(100_000_00, 24, counterGuarantee: false))).State);
        var enterprise = BorrowerTypeTests.Enterprise(staff: 40, hires: 6);
        enterprise.Loan.AmountFen = 100_000_00;
        enterprise.Loan.CounterGuarantee = false;
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Submit(enterprise));
        Assert.Equal("COUNTER_GUARANTEE_REQUIRED", refused.Reason());
    }

    // ---- Enterprises ----

    [Fact]
    public async Task An_enterprise_of_300_staff_and_unknown_revenue_is_not_small_or_micro()
    {
        var steps = new LoanSteps(server);
        var medium = await steps.Review(await steps.Submit(BorrowerTypeTests.Enterprise(staff: 300, hires: 45)));
        Assert.Equal("ENTERPRISE_NOT_SMALL_OR_MICRO", medium.RejectionReason);
        var request = BorrowerTypeTests.Enterprise(staff: 300, hires: 45);
        request.Loan.Borrower.Enterprise.AnnualRevenueFen = 19_999_999_99;
        Assert.Equal(LoanState.Publicity, (await steps.Review(await steps.Submit(request))).State);
    }

    [Fact]
    public async Task A_credit_code_holds_one_live_loan_at_a_time()
    {
        var steps = new LoanSteps(server);
        var first = await steps.Submit(BorrowerTypeTests.Enterprise(staff: 40, hires: 6, creditCode: "91440101MA5Y000001"));
        var second = await steps.Review(await steps.Submit(BorrowerTypeTests.Enterprise(staff: 40, hires: 6, creditCode: "91440101ma5y000001")));
        Assert.Equal("CREDIT_CODE_HAS_ACTIVE_LOAN", second.RejectionReason);
        Assert.Equal(LoanState.Publicity, (await steps.Review(first)).State);
    }
}
