using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>Leverage (放大倍数, policy.md §6, §9 example 10): outstanding guarantees ≤ 5 × the fund's balance.</summary>
public sealed class LeverageTests(UncapitalisedDanbaoServer server) : IClassFixture<UncapitalisedDanbaoServer>
{
    [Fact]
    public async Task A_guarantee_that_would_breach_5_times_the_fund_balance_is_refused_and_repayments_release_capacity()
    {
        var steps = new FundSteps(server);
        // 100,000 of capital → at most 500,000 outstanding.
        var contribution = await steps.Contribute(100_000_00);
        Assert.Equal(100_000_00, contribution.FundBalanceFen);
        var first = await steps.Disbursed();
        await steps.Disbursed();
        var third = await steps.Approved();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Loans.Guarantee(third, "2025-07-02"));
        Assert.Equal((StatusCode.FailedPrecondition, "LEVERAGE_EXCEEDED"), (refused.StatusCode, refused.Reason()));
        var overview = await steps.Overview();
        Assert.Equal((400_000_00L, 500_000_00L, 8000), (overview.OutstandingGuaranteesFen, overview.LeverageLimitFen, overview.LeverageInUseBp));

        // 100,000 of principal repaid (with 11 days' interest, 213.89) releases 100,000 of capacity.
        var repaid = await steps.Loans.Repay(first, 100_000_00 + 213_89, "2025-07-01");
        Assert.Equal(100_000_00, repaid.PrincipalFen);
        Assert.Equal(300_000_00, (await steps.Overview()).OutstandingGuaranteesFen);
        var guaranteed = await steps.Loans.Guarantee(third, "2025-07-02");
        Assert.Equal(LoanState.Guaranteed, guaranteed.State);
        overview = await steps.Overview();
        Assert.Equal((500_000_00L, 0L, 10_000), (overview.OutstandingGuaranteesFen, overview.HeadroomFen, overview.LeverageInUseBp));
        await steps.AssertLedgerConsistent();
    }
}

/// <summary>§9 example 10 in its own database: a fund of 6,000万 may guarantee at most 3亿.</summary>
public sealed class LeverageLimitTests(UncapitalisedDanbaoServer server) : IClassFixture<UncapitalisedDanbaoServer>
{
    [Fact]
    public async Task A_fund_balance_of_60_million_allows_at_most_300_million_of_guarantees()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(6_000_000_000_00 / 100);
        var overview = await steps.Overview();
        Assert.Equal((60_000_000_00L, 5, 300_000_000_00L), (overview.BalanceFen, overview.LeverageMultipleMax, overview.LeverageLimitFen));
        Assert.Contains(overview.PolicyVersions, v => v.Parameter == "LEVERAGE_MULTIPLE_MAX" && v.Value == "5");
    }

    [Fact]
    public async Task The_guarantee_fund_is_funded_by_the_finance_bureau_only()
    {
        var bank = server.As("icbc-gz");
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Fund = "institutions/gz-fund", AmountFen = 1_00, FundingSource = FundingSource.FinanceCapital,
        }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        // Another region's finance bureau cannot fund Guangzhou's fund.
        var jiangmen = server.As("jm-finance");
        var hidden = await Assert.ThrowsAsync<RpcException>(async () => await jiangmen.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Fund = "institutions/gz-fund", AmountFen = 1_00, FundingSource = FundingSource.FinanceCapital,
        }));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
    }
}

/// <summary>The leverage limit holds under concurrency: the fund's row is the serialisation point.</summary>
public sealed class ConcurrentGuaranteeTests(UncapitalisedDanbaoServer server) : IClassFixture<UncapitalisedDanbaoServer>
{
    [Fact]
    public async Task Fifty_simultaneous_guarantees_against_a_nearly_full_fund_never_breach_leverage()
    {
        var steps = new FundSteps(server);
        // 420,000 of capital → limit 2,100,000: room for exactly ten 200,000 guarantees.
        await steps.Contribute(420_000_00);
        var loans = new List<Loan>();
        for (var i = 0; i < 50; i++)
        {
            var id = TestIdNumbers.Make(new DateOnly(1985, 1, 1).AddDays(i * 7), male: i % 2 == 0);
            loans.Add(await steps.Loans.Approved(LoanSteps.Individual(idNumber: id)));
        }
        var results = await Task.WhenAll(loans.Select(async loan =>
        {
            try
            {
                await steps.Loans.Guarantee(loan);
                return "OK";
            }
            catch (RpcException e)
            {
                return e.Reason();
            }
        }));
        Assert.Equal(10, results.Count(r => r == "OK"));
        Assert.Equal(40, results.Count(r => r == "LEVERAGE_EXCEEDED"));
        var overview = await steps.Overview();
        Assert.Equal((2_000_000_00L, 2_100_000_00L), (overview.OutstandingGuaranteesFen, overview.LeverageLimitFen));
        await steps.AssertLedgerConsistent();
    }
}
