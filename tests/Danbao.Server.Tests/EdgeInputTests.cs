using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests;

/// <summary>
/// Every input is checked at the edge (issue 14, findings 4 and 5): each bad input is INVALID_ARGUMENT
/// with a field violation naming the field, and nothing is stored.
/// </summary>
public sealed class EdgeInputTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private async Task<int> LoanCount(DanbaoClient bank) =>
        (await bank.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500 })).Loans.Count;

    private async Task<RpcException> RefusedLoan(CreateLoanRequest request)
    {
        var bank = server.As("gzrcb");
        var before = await LoanCount(bank);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.CreateLoanAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(before, await LoanCount(bank));
        return refused;
    }

    [Theory]
    [InlineData("nul", "天河\0区")]
    [InlineData("ansi escape", "\u001b[2J天河")]
    [InlineData("bidi override", "天河\u202E区")]
    [InlineData("invalid utf-8 (a lone surrogate is sent as U+FFFD)", "天河\uD800区")]
    public async Task Control_characters_and_invalid_text_are_refused_on_their_field(string what, string district)
    {
        var request = LoanSteps.Individual();
        request.Loan.District = district;
        var refused = await RefusedLoan(request);
        Assert.True(refused.FieldViolations().Select(v => v.Field).SequenceEqual(["loan.district"]), what);
    }

    [Theory]
    [InlineData("\u200B\u200C\u200D")]
    [InlineData("\u3164\u3164")]
    [InlineData("\u001b[31m")]
    public async Task A_name_with_nothing_visible_is_refused(string name)
    {
        var request = LoanSteps.Individual();
        request.Loan.Borrower.Person.Name = name;
        var refused = await RefusedLoan(request);
        Assert.Equal(["loan.borrower.person.name"], refused.FieldViolations().Select(v => v.Field).ToArray());
    }

    [Fact]
    public async Task An_id_number_born_after_the_application_is_refused_without_echoing_it()
    {
        var request = LoanSteps.Individual(idNumber: TestIdNumbers.Make(new DateOnly(2025, 6, 2), male: true));
        var refused = await RefusedLoan(request);
        var violation = Assert.Single(refused.FieldViolations());
        Assert.Equal("loan.borrower.person.id_number", violation.Field);
        Assert.DoesNotContain("2025", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_residency_value_is_refused()
    {
        var request = LoanSteps.Individual();
        request.Loan.Borrower.Person.Residency = (Residency)77;
        var refused = await RefusedLoan(request);
        Assert.Equal(["loan.borrower.person.residency"], refused.FieldViolations().Select(v => v.Field).ToArray());
    }

    [Fact]
    public async Task Page_tokens_are_signed_and_a_tampered_or_forged_one_is_refused()
    {
        var bank = server.As("icbc-gz");
        var first = await bank.Policy.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PageSize = 2 });
        var second = await bank.Policy.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PageSize = 2, PageToken = first.NextPageToken });
        Assert.NotEqual(first.Versions[0].Name, second.Versions[0].Name);

        var token = first.NextPageToken;
        var middle = token.Length / 2;
        var tampered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];
        var lastCharacter = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        // A token as the service issued them before signing: the cursor alone, base64url.
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("CN:INDIVIDUAL_LOAN_CAP:2023-10-01")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var impossibleTime = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("9223372036854775807|L1")).TrimEnd('=');
        foreach (var bad in new[] { tampered, lastCharacter, forged, impossibleTime, "%%%", new string('A', 5000) })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await bank.Policy.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { PageSize = 2, PageToken = bad }));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Equal(["page_token"], refused.FieldViolations().Select(v => v.Field).ToArray());
            var loans = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.ListLoansAsync(new ListLoansRequest { PageToken = bad }));
            Assert.Equal(StatusCode.InvalidArgument, loans.StatusCode);
        }
    }

    [Fact]
    public async Task Subsidy_claim_amounts_whose_sum_overflows_are_refused_on_their_field()
    {
        var steps = new LoanSteps(server);
        var a = await steps.Submit();
        var b = await steps.Submit();
        var claim = await steps.Bank.Subsidy.CreateSubsidyClaimAsync(new CreateSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Quarter = "2027-Q2" });
        var request = new AddSubsidyClaimLinesRequest { RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name };
        request.Lines.Add(new SubsidyClaimLineInput { Loan = a.Name, InterestPaidFen = long.MaxValue, SubsidyClaimedFen = 1 });
        request.Lines.Add(new SubsidyClaimLineInput { Loan = b.Name, InterestPaidFen = long.MaxValue, SubsidyClaimedFen = 1 });
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Bank.Subsidy.AddSubsidyClaimLinesAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["lines.interest_paid_fen"], refused.FieldViolations().Select(v => v.Field).ToArray());
    }

    [Fact]
    public async Task A_bank_statement_whose_sum_overflows_is_refused_on_the_line()
    {
        var bank = server.As("icbc-gz");
        using var call = bank.Fund.UploadBankStatement();
        var message = new UploadBankStatementRequest { AsOfDate = "2027-06-30" };
        message.Lines.Add(new StatementLine { Loan = "loans/L0000000000000001", OutstandingFen = long.MaxValue });
        message.Lines.Add(new StatementLine { Loan = "loans/L0000000000000002", OutstandingFen = 1 });
        await call.RequestStream.WriteAsync(message);
        await call.RequestStream.CompleteAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["lines[1].outstanding_fen"], refused.FieldViolations().Select(v => v.Field).ToArray());
    }
}
