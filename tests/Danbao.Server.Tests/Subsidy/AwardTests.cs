using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// Incentive awards (奖补, policy.md §7, §9 example 9). The year's lending is seeded as loan rows
/// (2.49亿 in 2026 would take hundreds of loans through the lifecycle); the cap is read from them.
/// </summary>
public sealed class AwardTests(DanbaoServer server) : IClassFixture<DanbaoServer>, IAsyncLifetime
{
    private const long Yi = 100_000_000L * 100; // 1亿元 in fen (xunit makes an instance per test: seeding is idempotent)

    public async Task InitializeAsync()
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        // Bank A (icbc-gz) lent 1.5亿 and bank B (ccb-gz) 0.99亿 in Guangzhou in 2026; other rows must not count.
        await Seed(conn, "L0AWARD0000001", "icbc-gz", "CN-GD-GZ", 150 * Yi / 100, "2026-03-01");
        await Seed(conn, "L0AWARD0000002", "ccb-gz", "CN-GD-GZ", 99 * Yi / 100, "2026-12-31");
        await Seed(conn, "L0AWARD0000003", "icbc-gz", "CN-GD-GZ", 7 * Yi, "2025-12-31");
        await Seed(conn, "L0AWARD0000004", "jmrcb", "CN-GD-JM", 3 * Yi, "2026-05-01");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Example_9_the_pool_for_2_49_yi_is_2_49_wan_split_pro_rata_to_lending_times_score()
    {
        var finance = server.As("gz-finance");
        var proposal = await finance.Awards.ProposeAwardsAsync(new ProposeAwardsRequest
        {
            Year = 2026,
            Scores = { new AwardScore { Institution = "institutions/icbc-gz", ScoreBp = 10_000 }, new AwardScore { Institution = "institutions/ccb-gz", ScoreBp = 8_000 } },
        });
        Assert.Equal(249 * Yi / 100, proposal.NewLendingFen);
        Assert.Equal(2_490_000_00, proposal.CapFen); // 249万
        Assert.Equal(100, proposal.CapBp);
        // Weights 1.5 : 0.792 → A 1,629,581.15 (≈163.0万), B 860,418.85 (≈86.0万); the leftover fen to the larger remainder.
        Assert.Equal([162_958_115L, 86_041_885L], proposal.Lines.Select(l => l.AmountFen));
        Assert.Equal(proposal.CapFen, proposal.TotalFen);
        Assert.Contains(proposal.PolicyVersions, v => v.Parameter == "AWARD_POOL_CAP_BP");
    }

    [Fact]
    public async Task An_allocation_one_fen_above_the_cap_is_refused_and_one_at_the_cap_is_accepted_and_posted()
    {
        var finance = server.As("gz-finance");
        ApproveAwardsRequest Request(long bankA, long bankB) => new()
        {
            RequestId = DanbaoClient.NewRequestId(),
            Year = 2026,
            BusinessDate = "2027-03-01",
            Awards =
            {
                new AwardAmount { Institution = "institutions/icbc-gz", AmountFen = bankA, ScoreBp = 10_000 },
                new AwardAmount { Institution = "institutions/ccb-gz", AmountFen = bankB, ScoreBp = 8_000 },
            },
        };
        // The bureau adjusts: 170万 to A, the rest of the cap plus one fen to B.
        var above = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ApproveAwardsAsync(Request(1_700_000_00, 790_000_00 + 1)));
        Assert.Equal(StatusCode.FailedPrecondition, above.StatusCode);
        Assert.Equal("AWARD_ABOVE_CAP", above.Reason());

        var approved = await finance.Awards.ApproveAwardsAsync(Request(1_700_000_00, 790_000_00));
        Assert.Equal((2_490_000_00L, 2_490_000_00L), (approved.CapFen, approved.TotalFen));
        Assert.True(approved.LedgerTransactionId > 0);

        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                """
                select a.code, e.side, e.amount_fen from ledger_entries e join ledger_accounts a on a.id = e.account_id
                where e.transaction_id = @t order by a.code
                """, conn);
            cmd.Parameters.AddWithValue("t", approved.LedgerTransactionId);
            var entries = new List<(string, string, long)>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                entries.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));
            }
            Assert.Equal(
                [("award:ccb-gz:award_payable", "C", 790_000_00L), ("award:icbc-gz:award_payable", "C", 1_700_000_00L), ("finance:gz-finance:award_expense", "D", 2_490_000_00L)],
                entries);
        }

        var report = await server.As("gz-fund").Awards.GetAwardsAsync(new GetAwardsRequest { Year = 2026 });
        Assert.Equal(approved, report);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ApproveAwardsAsync(Request(1, 1)));
        Assert.Equal("AWARD_ALREADY_APPROVED", again.Reason());
    }

    [Fact]
    public async Task Awards_go_only_to_banks_and_fund_operators_of_the_region()
    {
        var finance = server.As("jm-finance");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await finance.Awards.ApproveAwardsAsync(new ApproveAwardsRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Year = 2026,
            BusinessDate = "2027-03-01",
            Awards = { new AwardAmount { Institution = "institutions/icbc-gz", AmountFen = 100 } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        // Jiangmen's own cap: 1% of its 3亿.
        var proposal = await finance.Awards.ProposeAwardsAsync(new ProposeAwardsRequest
        {
            Year = 2026,
            Scores = { new AwardScore { Institution = "institutions/jmrcb", ScoreBp = 5_000 } },
        });
        Assert.Equal((3 * Yi, 3 * Yi / 100), (proposal.NewLendingFen, proposal.CapFen));
        Assert.Equal(3 * Yi / 100, Assert.Single(proposal.Lines).AmountFen);
        var bank = await Assert.ThrowsAsync<RpcException>(async () => await server.As("jmrcb").Awards.ProposeAwardsAsync(new ProposeAwardsRequest { Year = 2026 }));
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);
    }

    private static async Task Seed(NpgsqlConnection conn, string id, string bank, string region, long amountFen, string disbursed)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into loans (id, bank_id, region_code, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee,
                disbursement_date, outstanding_principal_fen)
            values (@id, @bank, @region, 'CURRENT', 'ENTERPRISE', '{}', '\x00', @ix, @amount, 24, 350, 'BULLET',
                @on::date - 20, @on::date - 30, true, @on::date, @amount)
            on conflict (id) do nothing
            """, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("bank", bank);
        cmd.Parameters.AddWithValue("region", region);
        cmd.Parameters.AddWithValue("ix", System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        cmd.Parameters.AddWithValue("amount", amountFen);
        cmd.Parameters.AddWithValue("on", DateOnly.Parse(disbursed, System.Globalization.CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync();
    }
}
