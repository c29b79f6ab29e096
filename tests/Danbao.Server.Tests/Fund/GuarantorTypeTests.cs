using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Reference;
using Danbao.Server.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// The guarantor type (policy.md §1): a government financing guarantee institution (政银担) may
/// guarantee instead of the fund; its loss share is its own policy parameter on the guarantee date,
/// stored with the guarantee and used by the claim.
/// </summary>
public sealed class GuarantorTypeTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private const GuarantorType Government = GuarantorType.GovernmentFinancingGuarantor;
    private const string PlantedVersion = "CN-GD-GZ:RISK_SHARE_GOVERNMENT_GUARANTOR_BP:2025-01-01";

    /// <summary>Guangzhou's 政银担 share at 7:3 from 2025-01-01 (the seeded national default is 8:2), so the parameter is seen at work.</summary>
    private async Task PlantGovernmentShare7000()
    {
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by)
                values ('{PlantedVersion}', 'RISK_SHARE_GOVERNMENT_GUARANTOR_BP', 'CN-GD-GZ', '2025-01-01', null, 'BASIS_POINTS', '7000',
                        'planted by a test: a 7:3 share for 政银担', 'test')
                on conflict (id) do nothing
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        await server.Host.Services.GetRequiredService<ReferenceDataCache>().ReloadAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_guarantee_by_a_government_financing_guarantor_takes_its_own_share_and_stores_the_type()
    {
        await PlantGovernmentShare7000();
        var steps = new FundSteps(server, "boc-gz");
        var byGovernment = await steps.Loans.Guarantee(await steps.Approved(), guarantorType: Government);
        Assert.Equal((Government, 7000, LoanState.Guaranteed), (byGovernment.GuarantorType, byGovernment.FundRiskShareBp, byGovernment.State));
        Assert.Contains(byGovernment.PolicyVersions, v => (v.Parameter, v.Region, v.Value) == ("RISK_SHARE_GOVERNMENT_GUARANTOR_BP", "CN-GD-GZ", "7000"));
        // Read back, not resolved again.
        var read = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = byGovernment.Name });
        Assert.Equal((Government, 7000), (read.GuarantorType, read.FundRiskShareBp));

        // Unspecified is the fund, at the fund's 8:2; named explicitly the same.
        var byFund = await steps.Loans.Guarantee(await steps.Approved());
        Assert.Equal((GuarantorType.GuaranteeFund, 8000), (byFund.GuarantorType, byFund.FundRiskShareBp));
        var named = await steps.Loans.Guarantee(await steps.Approved(), guarantorType: GuarantorType.GuaranteeFund);
        Assert.Equal((GuarantorType.GuaranteeFund, 8000), (named.GuarantorType, named.FundRiskShareBp));
        // Before the guarantee there is no guarantor.
        Assert.Equal(GuarantorType.Unspecified, (await steps.Approved()).GuarantorType);
    }

    [Fact]
    public async Task A_guarantor_type_the_contract_does_not_define_is_a_field_violation_and_changes_nothing()
    {
        var steps = new FundSteps(server, "gzrcb");
        var loan = await steps.Approved();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Loans.Guarantee(loan, guarantorType: (GuarantorType)7));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["guarantor_type"], refused.FieldViolations().Select(v => v.Field).ToArray());
        var after = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal((LoanState.Approved, loan.Etag, GuarantorType.Unspecified), (after.State, after.Etag, after.GuarantorType));
    }

    [Fact]
    public async Task A_claim_on_a_loan_guaranteed_by_a_government_financing_guarantor_is_split_at_its_stored_share()
    {
        await PlantGovernmentShare7000();
        var steps = new FundSteps(server, "ccb-gz");
        var loan = await steps.OverdueLoanWith150000Outstanding(guarantorType: Government);
        var claim = await steps.File(loan);
        // §9 ex. 7's base 151,312.50 at 7:3: 105,918.75 / 45,393.75.
        Assert.Equal((15_131_250L, 7000, 10_591_875L, 4_539_375L, Government), (claim.BaseFen, claim.FundShareBp, claim.FundFen, claim.BankFen, claim.GuarantorType));
        claim = await steps.Approve(await steps.Consents(claim));
        Assert.Equal((10_591_875L, 4_539_375L), (claim.FundFen, claim.BankFen));
        await steps.AssertLedgerConsistent();
    }
}
