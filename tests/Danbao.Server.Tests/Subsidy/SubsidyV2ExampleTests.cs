using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// policy.md §9 example 4 fixes the LPR at 3.00% for a loan "as if disbursed in 2022", which no real
/// 2021–2023 LPR was. This class's own database gets that LPR seeded (lpr_rates is append-only; the
/// API only appends after the latest), before the server first reads reference data.
/// </summary>
public sealed class SubsidyV2ExampleTests(Lpr300In2022Server server) : IClassFixture<Lpr300In2022Server>
{
    [Fact]
    public async Task Example_4_v2_subsidy_as_if_disbursed_in_2022_is_8111_11_and_the_borrower_pays_6083_33()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed(contract: "2022-06-01", disbursed: "2022-06-20");
        var e = await steps.Explain(loan, "2022-06-20", "2024-06-19");
        Assert.Equal(730, e.Days);
        Assert.Equal(SubsidyFormula.V2, e.Formula);
        // s = 3.50% − (3.00% − 1.50%) = 2.00%.
        Assert.Equal(("200", "300"), (e.SubsidyRateBp, e.LprBp));
        Assert.Equal((1_419_444L, 811_111L, 608_333L), (e.InterestFen, e.SubsidyFen, e.BorrowerShareFen));
        Assert.Contains(e.PolicyVersions, v => v.Parameter == "SUBSIDY_FORMULA" && v.Value == "V2");
    }
}

/// <summary>The test server with example 4's LPR of 3.00% from 2022-05-01 in its database before it starts.</summary>
public sealed class Lpr300In2022Server : DanbaoServer
{
    protected override async Task BeforeStartAsync(Danbao.TestSupport.TestDatabase database)
    {
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "insert into lpr_rates (effective_from, one_year_bp, source, created_by) values ('2022-05-01', 300, 'policy.md §9 example 4: LPR 3.00%', 'test')", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
