using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Partnerships (合伙创业) and small/micro enterprises (小微企业) through the API (policy.md §2–§3, §9 examples 5–6).</summary>
public sealed class BorrowerTypeTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private static CreateLoanRequest Partnership(long amountFen, int otherPartners = 2)
    {
        var request = LoanSteps.Individual(amountFen: amountFen);
        request.Loan.Borrower.Type = BorrowerType.Partnership;
        for (var i = 0; i < otherPartners; i++)
        {
            request.Loan.Borrower.Partners.Add(new Person
            {
                Name = $"合伙人{i + 1}", IdNumber = TestIdNumbers.Make(new DateOnly(1985 + i, 2, 2), male: i % 2 == 0), KeyGroup = KeyGroup.Veteran,
            });
        }
        return request;
    }

    private static int _creditCodes;

    /// <summary>An enterprise application with a credit code of its own (one live loan per credit code).</summary>
    internal static CreateLoanRequest Enterprise(int staff, int hires, string? creditCode = null)
    {
        creditCode ??= "91440101MA5X" + Interlocked.Increment(ref _creditCodes).ToString("000000", System.Globalization.CultureInfo.InvariantCulture);
        var request = LoanSteps.Individual(amountFen: 1_000_000_00);
        request.Loan.Borrower.Type = BorrowerType.Enterprise;
        request.Loan.Borrower.Enterprise = new Enterprise
        {
            Name = "广州小微科技有限公司", CreditCode = creditCode, StaffCount = staff, KeyGroupHires = hires, RegisteredInGuangdong = true,
        };
        return request;
    }

    [Fact]
    public async Task Three_partners_may_borrow_at_most_990_000_yuan_under_the_2023_rules()
    {
        var steps = new LoanSteps(server);
        var over = await Assert.ThrowsAsync<RpcException>(async () => await steps.Submit(Partnership(990_000_01)));
        Assert.Equal("AMOUNT_ABOVE_CAP", over.Reason());
        var atCap = await steps.Submit(Partnership(990_000_00));
        Assert.Equal(LoanState.Submitted, atCap.State);
        Assert.Equal(2, atCap.Borrower.Partners.Count);
        Assert.All(atCap.Borrower.Partners, p => Assert.Equal("", p.IdNumber));
        Assert.All(atCap.Borrower.Partners, p => Assert.Contains("**********", p.IdNumberMasked, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partner_over_the_age_limit_makes_the_partnership_ineligible()
    {
        var steps = new LoanSteps(server);
        var request = Partnership(500_000_00);
        request.Loan.Borrower.Partners[1].IdNumber = TestIdNumbers.Make(new DateOnly(1960, 1, 1), male: false);
        var loan = await steps.Review(await steps.Submit(request));
        Assert.Equal(LoanState.Rejected, loan.State);
        Assert.Contains("APPLICANT_TOO_OLD", loan.FailedRules);
        // The partner is named by position in the partners list (partner 2 = 合伙人2).
        Assert.Contains("partner 2: ", loan.RejectionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enterprise_of_40_staff_needs_6_key_group_hires()
    {
        var steps = new LoanSteps(server);
        var five = await steps.Review(await steps.Submit(Enterprise(staff: 40, hires: 5)));
        Assert.Equal(LoanState.Rejected, five.State);
        Assert.Equal("KEY_GROUP_HIRES_TOO_FEW", five.RejectionReason);
        var six = await steps.Review(await steps.Submit(Enterprise(staff: 40, hires: 6)));
        Assert.Equal(LoanState.Publicity, six.State);
    }

    [Fact]
    public async Task An_enterprise_of_120_staff_needs_10_key_group_hires()
    {
        var steps = new LoanSteps(server);
        Assert.Equal(LoanState.Rejected, (await steps.Review(await steps.Submit(Enterprise(staff: 120, hires: 9)))).State);
        Assert.Equal(LoanState.Publicity, (await steps.Review(await steps.Submit(Enterprise(staff: 120, hires: 10)))).State);
    }
}
