using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Each policy limit refuses with its own reason a program can branch on (policy.md §2–§3, §5).</summary>
public sealed class RefusalTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private async Task<RpcException> SubmitRefused(CreateLoanRequest request)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new LoanSteps(server).Submit(request));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        return refused;
    }

    [Fact]
    public async Task An_amount_over_the_individual_cap_is_refused()
    {
        var refused = await SubmitRefused(LoanSteps.Individual(amountFen: 300_000_01));
        Assert.Equal("AMOUNT_ABOVE_CAP", refused.Reason());
        // The refusal names the version that set the cap (30万 from 2023-10-01).
        Assert.Equal("CN@2023-10-01=300000.00", refused.ReasonMetadata()["policy.INDIVIDUAL_LOAN_CAP"]);
    }

    [Fact]
    public async Task A_rate_of_3_60_percent_with_LPR_3_00_is_above_the_cap()
    {
        var refused = await SubmitRefused(LoanSteps.Individual(rateBp: 360));
        Assert.Equal("RATE_ABOVE_CAP", refused.Reason());
        Assert.Contains("3.50%", refused.Status.Detail);
    }

    [Fact]
    public async Task Above_100_000_yuan_a_counter_guarantee_is_required_and_at_100_000_it_is_not()
    {
        var refused = await SubmitRefused(LoanSteps.Individual(amountFen: 100_000_01, counterGuarantee: false));
        Assert.Equal("COUNTER_GUARANTEE_REQUIRED", refused.Reason());
        var accepted = await new LoanSteps(server).Submit(LoanSteps.Individual(amountFen: 100_000_00, counterGuarantee: false));
        Assert.Equal(LoanState.Submitted, accepted.State);
    }

    [Fact]
    public async Task A_man_aged_61_at_application_is_rejected_at_eligibility_review()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Submit(LoanSteps.Individual(idNumber: TestIdNumbers.Make(new DateOnly(1964, 5, 31), male: true)));
        loan = await steps.Review(loan);
        Assert.Equal(LoanState.Rejected, loan.State);
        Assert.Equal("APPLICANT_TOO_OLD", loan.RejectionReason);
        Assert.Contains("APPLICANT_TOO_OLD", loan.FailedRules);
    }

    [Fact]
    public async Task A_fourth_subsidised_loan_is_rejected()
    {
        var steps = new LoanSteps(server);
        var request = LoanSteps.Individual();
        request.Loan.Borrower.PriorSubsidisedLoans = 3;
        var loan = await steps.Review(await steps.Submit(request));
        Assert.Equal(LoanState.Rejected, loan.State);
        Assert.Equal("SUBSIDISED_LOAN_LIMIT_REACHED", loan.RejectionReason);
    }

    [Fact]
    public async Task Loans_the_service_already_knows_count_toward_the_lifetime_limit()
    {
        var steps = new LoanSteps(server);
        var person = TestIdNumbers.Make(new DateOnly(1988, 3, 3), male: false);
        var request = LoanSteps.Individual(idNumber: person);
        request.Loan.Borrower.PriorSubsidisedLoans = 2;
        await steps.Disbursed(request);
        var another = LoanSteps.Individual(idNumber: person);
        another.Loan.Borrower.PriorSubsidisedLoans = 2;
        var loan = await steps.Review(await steps.Submit(another));
        Assert.Equal("SUBSIDISED_LOAN_LIMIT_REACHED", loan.RejectionReason);
    }

    [Fact]
    public async Task A_second_extension_and_an_extension_of_13_months_are_refused()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var tooLong = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.ExtendLoanAsync(new ExtendLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Months = 13, BusinessDate = "2027-05-01",
        }));
        Assert.Equal("EXTENSION_TOO_LONG", tooLong.Reason());

        loan = await steps.Bank.Loans.ExtendLoanAsync(new ExtendLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Months = 12, BusinessDate = "2027-05-01",
        });
        Assert.Equal(LoanState.Extended, loan.State);
        Assert.Equal("2028-06-20", loan.MaturityDate);
        var second = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Loans.ExtendLoanAsync(new ExtendLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Months = 1, BusinessDate = "2027-06-01",
        }));
        Assert.Equal("EXTENSION_LIMIT_REACHED", second.Reason());
    }

    [Fact]
    public async Task An_hk_macau_youth_in_guangzhou_is_recognised_and_gets_the_9_to_1_share()
    {
        var steps = new LoanSteps(server);
        var request = LoanSteps.Individual(idNumber: TestIdNumbers.Make(new DateOnly(1995, 8, 8), male: true, area: "810000"), residency: Residency.HongKong);
        var loan = await steps.Review(await steps.Submit(request));
        Assert.True(loan.HkMacauYouth);
        loan = await steps.Conclude(loan, "2025-06-05");
        loan = await steps.Guarantee(await steps.Approve(await steps.DueDiligence(loan)));
        Assert.Equal(9000, loan.FundRiskShareBp);
    }

    [Fact]
    public async Task Bad_input_lists_every_bad_field_and_creates_nothing()
    {
        var bank = server.As("icbc-gz");
        var before = await bank.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500 });
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.CreateLoanAsync(new CreateLoanRequest
        {
            RequestId = "not a valid id!",
            Loan = new Loan { AmountFen = -1, ContractDate = "2025-02-30", Borrower = new Borrower { Type = BorrowerType.Individual, Person = new Person { Name = "x", IdNumber = "110105194912310021" } } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var fields = bad.FieldViolations().Select(v => v.Field).ToList();
        Assert.Contains("request_id", fields);
        Assert.Contains("loan.amount_fen", fields);
        Assert.Contains("loan.contract_date", fields);
        Assert.Contains("loan.borrower.person.id_number", fields);
        Assert.Contains(bad.FieldViolations(), v => v.Field == "loan.repayment_method" && v.Description.Contains("BULLET, EQUAL_PRINCIPAL", StringComparison.Ordinal));
        Assert.DoesNotContain(bad.FieldViolations(), v => v.Description.Contains("110105194912310021", StringComparison.Ordinal));
        var after = await bank.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500 });
        Assert.Equal(before.Loans.Count, after.Loans.Count);
    }
}
