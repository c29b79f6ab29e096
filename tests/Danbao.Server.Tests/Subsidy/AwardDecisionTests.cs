using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// Awards through the AwardDecision aggregate (policy.md §7): a year only after it has ended, lending counted
/// once across nested regions, recipients of the kinds the region names. Own fixture: these tests change the
/// clock and seed a provincial decision.
/// </summary>
public sealed class AwardDecisionTests(DanbaoServer server) : IClassFixture<DanbaoServer>, IAsyncLifetime
{
    private const long Wan = 10_000L * 100; // 1万元 in fen

    public async Task InitializeAsync()
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        // 2026: Guangzhou 1亿 (icbc-gz), Jiangmen 1亿 (jmrcb); Guangdong's lending is their sum, 2亿.
        await Exec(conn, """
            insert into loans (id, bank_id, region_code, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee, disbursement_date, outstanding_principal_fen)
            select id, bank, region, 'CURRENT', 'ENTERPRISE', '{}', '\x00', sha256(id::bytea), 10000::bigint * 10000 * 100, 24, 350, 'BULLET',
                   '2026-04-01', '2026-03-20', true, '2026-04-20', 10000::bigint * 10000 * 100
            from (values ('L0AWARDNEST0001', 'icbc-gz', 'CN-GD-GZ'), ('L0AWARDNEST0002', 'jmrcb', 'CN-GD-JM')) as v(id, bank, region)
            on conflict (id) do nothing
            """);
    }

    public Task DisposeAsync()
    {
        server.Clock.Set(SubsidySteps.Now);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_year_is_awarded_only_after_31_december()
    {
        var finance = server.As("jm-finance");
        server.Clock.Set(new DateTimeOffset(2026, 12, 31, 2, 0, 0, TimeSpan.Zero));
        var early = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ProposeAwardsAsync(Scores(2026, ("jmrcb", 10_000))));
        Assert.Equal((StatusCode.FailedPrecondition, "AWARD_YEAR_NOT_ENDED"), (early.StatusCode, early.Reason()));
        // Approval dated 2026-12-31 is refused even when asked on a later day.
        server.Clock.Set(new DateTimeOffset(2027, 1, 1, 2, 0, 0, TimeSpan.Zero));
        var dated = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ApproveAwardsAsync(Approve(2026, "2026-12-31", ("jmrcb", 1))));
        Assert.Equal("AWARD_YEAR_NOT_ENDED", dated.Reason());
        // 2027-01-01: the year has ended. (Jiangmen's 2026 award is not approved here: the nesting test owns the year.)
        var proposal = await finance.Awards.ProposeAwardsAsync(Scores(2026, ("jmrcb", 10_000)));
        Assert.Equal(100 * Wan, proposal.CapFen);
    }

    [Fact]
    public async Task Lending_counts_once_a_city_below_a_province_that_awarded_keeps_only_what_the_province_left()
    {
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            // Guangdong decided 2026 first: cap 1% of 2亿 = 200万, of which it awarded 150万.
            await Exec(conn, """
                insert into award_allocations (region_code, year, new_lending_fen, cap_fen, total_fen, approved_by, approved_date)
                values ('CN-GD', 2026, 20000::bigint * 10000 * 100, 200 * 10000 * 100, 150 * 10000 * 100, 'gz-finance', '2027-02-01')
                on conflict do nothing
                """);
        }
        var finance = server.As("gz-finance");
        var proposal = await finance.Awards.ProposeAwardsAsync(Scores(2026, ("icbc-gz", 10_000)));
        // Guangzhou's own cap is 100万, but the province left 50万 on the lending both count.
        Assert.Equal((100 * Wan, 50 * Wan, 50 * Wan), (proposal.CapFen, proposal.PoolFen, proposal.TotalFen));
        var above = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ApproveAwardsAsync(Approve(2026, "2027-03-01", ("icbc-gz", 50 * Wan + 1))));
        Assert.Equal("AWARD_ABOVE_CAP", above.Reason());
        var approved = await finance.Awards.ApproveAwardsAsync(Approve(2026, "2027-03-01", ("icbc-gz", 50 * Wan)));
        Assert.Equal((100 * Wan, 50 * Wan, 50 * Wan), (approved.CapFen, approved.PoolFen, approved.TotalFen));

        // Jiangmen (a sibling) is not reduced by Guangzhou's award, only by what the province has left: nothing.
        var jm = await server.As("jm-finance").Awards.ProposeAwardsAsync(Scores(2026, ("jmrcb", 10_000)));
        Assert.Equal((100 * Wan, 0L), (jm.CapFen, jm.PoolFen));
    }

    [Fact]
    public async Task Recipients_are_units_of_the_kinds_the_region_names()
    {
        var finance = server.As("gz-finance");
        // By default an employment service is not a recipient …
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ProposeAwardsAsync(Scores(2025, ("icbc-gz", 10_000), ("gz-hrss", 10_000))));
        Assert.Equal("AWARD_RECIPIENT_KIND_NOT_NAMED", refused.Reason());
        // … until Guangzhou names it ("经办银行、担保基金运营管理机构等单位").
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await Exec(conn, """
                insert into award_recipient_kinds (region_code, kind, source) values
                    ('CN-GD-GZ', 'HANDLING_BANK', 'test'), ('CN-GD-GZ', 'FUND_OPERATOR', 'test'), ('CN-GD-GZ', 'EMPLOYMENT_SERVICE', 'test')
                on conflict do nothing
                """);
        }
        var proposal = await finance.Awards.ProposeAwardsAsync(Scores(2025, ("icbc-gz", 10_000), ("gz-hrss", 10_000)));
        Assert.Equal(["institutions/icbc-gz", "institutions/gz-hrss"], proposal.Lines.Select(l => l.Institution));
    }

    private static ProposeAwardsRequest Scores(int year, params (string Id, int ScoreBp)[] scores)
    {
        var request = new ProposeAwardsRequest { Year = year };
        request.Scores.AddRange(scores.Select(s => new AwardScore { Institution = "institutions/" + s.Id, ScoreBp = s.ScoreBp }));
        return request;
    }

    private static ApproveAwardsRequest Approve(int year, string on, params (string Id, long AmountFen)[] awards)
    {
        var request = new ApproveAwardsRequest { RequestId = DanbaoClient.NewRequestId(), Year = year, BusinessDate = on };
        request.Awards.AddRange(awards.Select(a => new AwardAmount { Institution = "institutions/" + a.Id, AmountFen = a.AmountFen, ScoreBp = 10_000 }));
        return request;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
