using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Fund;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>
/// The one access policy (docs/security.md), a rule per role through the API: a bank sees its own; a
/// fund operator its fund's claims and otherwise its region; the employment service and the finance
/// bureau their region; an administrator everything. What a caller may not see is NOT_FOUND.
/// </summary>
public sealed class AccessPolicyTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private async Task AssertHidden(string institution, Func<DanbaoClient, Task> call)
    {
        var hidden = await Assert.ThrowsAsync<RpcException>(() => call(server.As(institution)));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task A_loan_is_seen_by_its_bank_by_the_bodies_of_its_region_and_by_an_administrator()
    {
        var loan = await new LoanSteps(server).Submit();
        foreach (var who in new[] { "icbc-gz", "gz-fund", "gz-hrss", "gz-finance", "admin" })
        {
            Assert.Equal(loan.Name, (await server.As(who).Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).Name);
        }
        foreach (var who in new[] { "ccb-gz", "jmrcb", "jm-fund", "jm-hrss", "jm-finance" })
        {
            await AssertHidden(who, async c => await c.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));
        }
    }

    [Fact]
    public async Task A_compensation_claim_is_seen_by_its_bank_its_funds_operator_its_regions_bodies_and_an_administrator()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var claim = await steps.File(await steps.OverdueLoanWith150000Outstanding());
        foreach (var who in new[] { "icbc-gz", "gz-fund", "gz-hrss", "gz-finance", "admin" })
        {
            var client = server.As(who);
            Assert.Equal(claim.Name, (await client.Fund.GetClaimAsync(new GetClaimRequest { Name = claim.Name })).Name);
            Assert.Contains((await client.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 500 })).Claims, c => c.Name == claim.Name);
        }
        foreach (var who in new[] { "ccb-gz", "jm-fund", "jm-hrss", "jm-finance" })
        {
            await AssertHidden(who, async c => await c.Fund.GetClaimAsync(new GetClaimRequest { Name = claim.Name }));
            Assert.DoesNotContain((await server.As(who).Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 500 })).Claims, c => c.Name == claim.Name);
        }
    }

    [Fact]
    public async Task A_fund_is_seen_by_its_own_operator_and_by_the_bodies_of_its_region()
    {
        var own = await server.As("gz-fund").Fund.GetFundOverviewAsync(new GetFundOverviewRequest());
        Assert.Equal("institutions/gz-fund", own.Fund);
        foreach (var who in new[] { "gz-finance", "admin" })
        {
            Assert.Equal("institutions/gz-fund", (await server.As(who).Fund.GetFundOverviewAsync(new GetFundOverviewRequest { Fund = "institutions/gz-fund" })).Fund);
        }
        foreach (var who in new[] { "jm-fund", "jm-finance" })
        {
            await AssertHidden(who, async c => await c.Fund.GetFundOverviewAsync(new GetFundOverviewRequest { Fund = "institutions/gz-fund" }));
        }
    }

    [Fact]
    public async Task A_banks_reconciliation_is_seen_by_the_bank_itself_and_by_the_bodies_of_its_region()
    {
        var request = new GetBankReconciliationRequest { Bank = "institutions/icbc-gz", FromDate = "2025-06-01", ToDate = "2025-06-30" };
        foreach (var who in new[] { "icbc-gz", "gz-fund", "gz-finance", "admin" })
        {
            Assert.Equal("institutions/icbc-gz", (await server.As(who).Fund.GetBankReconciliationAsync(request)).Bank);
        }
        foreach (var who in new[] { "ccb-gz", "jm-fund", "jm-finance" })
        {
            await AssertHidden(who, async c => await c.Fund.GetBankReconciliationAsync(request));
        }
    }

    [Fact]
    public async Task A_malformed_resource_name_is_invalid_argument_naming_the_field_with_the_names_shape()
    {
        var admin = server.As("admin");
        var calls = new (string Field, string Shape, Func<Task> Call)[]
        {
            ("name", "a claim name, claims/{id}", async () => await admin.Fund.GetClaimAsync(new GetClaimRequest { Name = "loans/L1" })),
            ("name", "a subsidy claim name, subsidyClaims/{id}", async () => await admin.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = "claims/C0123" })),
            ("fund", "an institution name, institutions/{id}", async () => await admin.Fund.GetFundOverviewAsync(new GetFundOverviewRequest { Fund = "gz-fund" })),
            ("loan", "a loan name, loans/{id}", async () => await admin.Subsidy.ExplainSubsidyAsync(new ExplainSubsidyRequest { Loan = "L0123", StartDate = "2025-06-01", EndDate = "2025-07-01" })),
            ("name", "an API key name, apiKeys/{id}", async () => await admin.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Name = "apiKeys/short" })),
        };
        foreach (var (field, shape, call) in calls)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            var violation = Assert.Single(refused.FieldViolations());
            Assert.Equal(field, violation.Field);
            Assert.StartsWith(shape, violation.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_stale_etag_on_a_claim_is_aborted_with_the_current_etag_like_a_loans()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(10_000_000_00);
        var claim = await steps.File(await steps.OverdueLoanWith150000Outstanding());
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await steps.Fund.Fund.RejectClaimAsync(new RejectClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag + "0", Reason = "材料不全", DecidedDate = "2026-07-03",
        }));
        Assert.Equal((StatusCode.Aborted, "ETAG_MISMATCH", claim.Etag), (stale.StatusCode, stale.Reason(), stale.ReasonMetadata()["current_etag"]));
        Assert.Equal(ClaimState.ClaimFiled, (await steps.Fund.Fund.GetClaimAsync(new GetClaimRequest { Name = claim.Name })).State);
    }
}
