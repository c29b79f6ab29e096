using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Npgsql;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// Random sequences of recoveries (some replayed, some too large) on compensated claims, through the
/// API: the splits add up, the fund gets exactly its rounded-down share of the running total, the
/// journal agrees with the claims, every transaction balances, and a replayed request_id posts nothing.
/// </summary>
public sealed class ClaimPropertyTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    public sealed record Step(long AmountFen, bool Replay);

    [Fact]
    public async Task Random_recoveries_and_replays_keep_splits_exact_and_the_journal_in_step_with_the_claims()
    {
        var steps = new FundSteps(server);
        await steps.Contribute(100_000_000_00);
        var arbitrary = (from hk in Gen.Elements(false, true)
                         from list in Gen.ListOf(from fen in Gen.Choose(1, 6_000_000) from replay in Gen.Elements(false, false, true) select new Step(fen, replay))
                         select (hk, list.Take(6).ToList())).ToArbitrary();
        var property = Prop.ForAll(arbitrary, c => RunCase(steps, c.hk, c.Item2).GetAwaiter().GetResult());
        await Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(5), property));
    }

    private async Task<bool> RunCase(FundSteps steps, bool hk, List<Step> recoveries)
    {
        var loan = await steps.OverdueLoanWith150000Outstanding(hk ? Residency.HongKong : Residency.Mainland);
        var claim = await steps.Approve(await steps.Consents(await steps.File(loan)));
        Assert.Equal(claim.BaseFen, claim.FundFen + claim.BankFen);
        var share = new Danbao.Domain.Figures.Ratio(claim.FundShareBp);
        long total = 0;
        var accepted = 0;
        foreach (var step in recoveries)
        {
            var request = new RecordRecoveryRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, GrossFen = step.AmountFen, RecoveredDate = "2026-09-01",
            };
            if (total + step.AmountFen > claim.BaseFen)
            {
                var refused = await Assert.ThrowsAsync<RpcException>(async () => await steps.Fund.Fund.RecordRecoveryAsync(request));
                Assert.Equal("RECOVERY_EXCEEDS_CLAIM", refused.Reason());
                continue;
            }
            var reply = await steps.Fund.Fund.RecordRecoveryAsync(request);
            if (step.Replay)
            {
                Assert.Equal(reply, await steps.Fund.Fund.RecordRecoveryAsync(request));
            }
            total += step.AmountFen;
            accepted++;
            var last = reply.Recoveries[^1];
            Assert.Equal(step.AmountFen, last.FundFen + last.BankFen);
            Assert.Equal(Danbao.Domain.Figures.ShareSplit.Split(new Danbao.Domain.Figures.Money(total), share).Fund.Fen, reply.RecoveredFundFen);
            Assert.Equal(total, reply.RecoveredFundFen + reply.RecoveredBankFen);
            claim = reply;
        }
        Assert.Equal(accepted, claim.Recoveries.Count);
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        // One compensation plus one transaction per accepted recovery: replays and refusals posted nothing.
        await using (var cmd = new NpgsqlCommand("select count(*) from ledger_transactions where cause_type = 'claim' and cause_id = @id", conn))
        {
            cmd.Parameters.AddWithValue("id", claim.Name["claims/".Length..]);
            Assert.Equal(1L + accepted, (long)(await cmd.ExecuteScalarAsync())!);
        }
        // The journal agrees with the claims: the fund's recoverable account is what its claims say is unrecovered.
        await using (var cmd = new NpgsqlCommand(
            "select coalesce(sum(fund_fen - recovered_fund_fen - written_off_fund_fen), 0)::bigint from compensation_claims where fund_id = 'gz-fund' and state in ('APPROVED', 'WRITTEN_OFF')", conn))
        {
            var unrecovered = (long)(await cmd.ExecuteScalarAsync())!;
            await using var db = new Data.Database(new Data.DatabaseOptions { ConnectionString = server.Database.ConnectionString });
            await using var session = await db.OpenReadSessionAsync(CancellationToken.None);
            Assert.Equal(unrecovered, await session.Funds.BalanceOrZeroAsync(FundAccounts.FundRecoverable("gz-fund")));
        }
        await steps.AssertLedgerConsistent();
        return true;
    }
}
