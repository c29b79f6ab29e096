using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// Principal-only compensation and recoveries (policy.md §6, §9 examples 7 and 8). Guangzhou switches
/// COMPENSATION_BASE_MODE to PRINCIPAL_ONLY from 2026-01-01 in this class's database.
/// </summary>
public sealed class RecoveryTests(DanbaoServer server) : IClassFixture<DanbaoServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        var finance = server.As("gz-finance");
        var versions = await finance.Policy.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { Parameter = "COMPENSATION_BASE_MODE", Region = "CN-GD-GZ" });
        if (versions.Versions.Count == 0)
        {
            // Versions take effect today or later (policy.md §10): announce it on 2025-12-31, then return to the fixture's today.
            var today = server.Clock.GetUtcNow();
            server.Clock.Set(new DateTimeOffset(2025, 12, 31, 2, 0, 0, TimeSpan.Zero));
            try
            {
                await finance.Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
                {
                    RequestId = DanbaoClient.NewRequestId(),
                    Version = new PolicyVersion
                    {
                        Parameter = "COMPENSATION_BASE_MODE", Region = "CN-GD-GZ", EffectiveFromDate = "2026-01-01", Value = "PRINCIPAL_ONLY",
                        Source = "test: principal-only compensation base",
                    },
                });
            }
            finally
            {
                server.Clock.Set(today);
            }
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Principal_only_compensation_is_120000_to_30000_and_a_recovery_of_50000_returns_40000_to_the_fund()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding();
        var claim = await steps.File(loan);
        // Example 7, principal only: 150,000 → fund 120,000, bank 30,000; the unpaid interest is not in the base.
        Assert.Equal(("PRINCIPAL_ONLY", 15_000_000L, 0L), (claim.BaseMode, claim.BaseFen, claim.UnpaidInterestFen));
        Assert.Equal((12_000_000L, 3_000_000L), (claim.FundFen, claim.BankFen));
        Assert.Contains(claim.PolicyVersions, v => v.Parameter == "COMPENSATION_BASE_MODE" && v.Value == "PRINCIPAL_ONLY");
        claim = await steps.Approve(await steps.Consents(claim));
        var before = await steps.Overview();

        // Example 8: 52,000 recovered, 2,000 of costs → 50,000 net → fund 40,000, bank 10,000.
        claim = await steps.Recover(claim, 5_200_000, 200_000);
        var recovery = Assert.Single(claim.Recoveries);
        Assert.Equal((5_000_000L, 4_000_000L, 1_000_000L), (recovery.NetFen, recovery.FundFen, recovery.BankFen));
        Assert.Equal((4_000_000L, 1_000_000L), (claim.RecoveredFundFen, claim.RecoveredBankFen));
        Assert.Equal(LoanState.Recovering, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        var after = await steps.Overview();
        Assert.Equal(before.BalanceFen + 4_000_000, after.BalanceFen);
        Assert.Equal(before.RecoveredFen + 4_000_000, after.RecoveredFen);
        await steps.AssertLedgerConsistent();
    }

    [Fact]
    public async Task Principal_only_compensation_for_hk_macau_youth_is_135000_to_15000_and_recoveries_share_9_to_1()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var loan = await steps.OverdueLoanWith150000Outstanding(Residency.Macau);
        var claim = await steps.File(loan);
        Assert.Equal((15_000_000L, 13_500_000L, 1_500_000L), (claim.BaseFen, claim.FundFen, claim.BankFen));
        claim = await steps.Approve(await steps.Consents(claim));

        claim = await steps.Recover(claim, 5_000_000);
        Assert.Equal((4_500_000L, 500_000L), (claim.Recoveries[0].FundFen, claim.Recoveries[0].BankFen));
        // Recovering the rest returns exactly the shares paid: the loan is closed.
        claim = await steps.Recover(claim, 10_000_000, date: "2026-10-01");
        Assert.Equal((13_500_000L, 1_500_000L), (claim.RecoveredFundFen, claim.RecoveredBankFen));
        Assert.Equal(LoanState.Closed, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        var more = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await steps.Recover(claim, 1, date: "2026-10-02"));
        Assert.Equal("RECOVERY_EXCEEDS_CLAIM", Danbao.Client.RpcExceptionExtensions.Reason(more));
        await steps.AssertLedgerConsistent();
    }
}
