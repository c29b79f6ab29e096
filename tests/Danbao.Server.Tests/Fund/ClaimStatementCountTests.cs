using System.Diagnostics;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Data.Accounting;
using Danbao.Data.Fund;
using Danbao.Data.Verification;
using Danbao.Server.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// How many SQL statements a claim RPC sends, counted from Npgsql's activities for this test's
/// database only (one per command or batch round trip). Figures are printed; the rule asserted is
/// that ListClaims costs the same for one claim as for a page of many (no per-row queries).
/// </summary>
public sealed class ClaimStatementCountTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task ListClaims_sends_the_same_statements_for_one_claim_as_for_a_page_and_approval_is_counted()
    {
        var steps = new FundSteps(server);
        var first = await steps.Consents(await steps.File(await steps.OverdueLoanWith150000Outstanding()));
        var approve = new ApproveClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = first.Name, Etag = first.Etag, DecidedDate = "2026-07-05" };
        var statements = new List<string>();
        var approval = await Count(async () => await steps.Fund.Fund.ApproveClaimAsync(approve), statements);
        output.WriteLine("ApproveClaim's statements:\n  " + string.Join("\n  ", statements));
        var one = await Count(async () => await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 }));
        for (var i = 0; i < 4; i++)
        {
            var claim = await steps.File(await steps.OverdueLoanWith150000Outstanding());
            await steps.Consents(claim);
        }
        var listed = await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 });
        Assert.Equal(5, listed.Claims.Count);
        Assert.Equal(3, listed.Claims.Where(c => c.State == ClaimState.ClaimFiled).Sum(c => c.Consents.Count) / 4);
        var five = await Count(async () => await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 }));
        var get = await Count(async () => await steps.Fund.Fund.GetClaimAsync(new GetClaimRequest { Name = first.Name }));
        output.WriteLine($"statements: ApproveClaim {approval}, ListClaims (1 claim) {one}, ListClaims (5 claims) {five}, GetClaim {get}");
        Assert.True(approval > 0 && one > 0, "no statement was counted: the listener sees nothing");
        Assert.Equal(one, five);
        Assert.True(approval <= 20, $"ApproveClaim sent {approval} statements");
    }

    private async Task<int> Count(Func<Task> call, List<string>? statements = null)
    {
        var database = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString).Database;
        var count = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName)?.ToString() ?? "";
                // Npgsql 10 names the database db.namespace; the host's health check (select 1) runs beside the call.
                if (Equals(activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name"), database) && text != "select 1")
                {
                    Interlocked.Increment(ref count);
                    if (statements is not null)
                    {
                        lock (statements)
                        {
                            statements.Add(string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))[..Math.Min(110, text.Length)]);
                        }
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await call();
        return count;
    }
}

/// <summary>
/// `danbao verify` (InvariantCheck): every compensation and recovery posting matches the share
/// stored at the guarantee, to the fen. Own database: the test plants mismatches.
/// </summary>
public sealed class ClaimShareInvariantTests(ClaimShareInvariantTests.OwnServer server) : IClassFixture<ClaimShareInvariantTests.OwnServer>
{
    public sealed class OwnServer : DanbaoServer;

    [Fact]
    public async Task Verify_finds_a_recovery_posting_or_a_claim_share_that_differs_from_the_stored_share()
    {
        var steps = new FundSteps(server);
        var claim = await steps.Recover(await steps.Approve(await steps.Consents(await steps.File(await steps.OverdueLoanWith150000Outstanding()))), 50_000_00);
        var id = claim.Name["claims/".Length..];
        await using var dataSource = NpgsqlDataSource.Create(server.Database.ConnectionString);
        Assert.True((await InvariantCheck.RunAsync(dataSource)).Ok);

        // Planted: one fen more to the fund on a recovery of this claim (balanced, so the ledger itself is fine).
        await using (var conn = await dataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await new Ledger().PostAsync(conn, tx, new LedgerTransactionRequest
            {
                Kind = "recovery", CauseType = "claim", CauseId = id, RequestId = "planted-mismatch", BusinessDate = new DateOnly(2026, 9, 2),
                Postings = [LedgerPosting.Debit(FundAccounts.Cash("gz-fund"), 1), LedgerPosting.Credit(FundAccounts.FundRecoverable("gz-fund"), 1)],
            });
            await tx.CommitAsync();
        }
        var report = await InvariantCheck.RunAsync(dataSource);
        var problem = Assert.Single(report.Problems);
        Assert.Equal($"claim {id}: 5000000 fen recovered at 8000 bp is fund 4000000 / bank 1000000 fen; recorded 4000000 / 1000000, posted 4000001 / 1000000", problem);

        // Planted: the claim's share rewritten to 100% (as resolving the policy again would).
        await using (var conn = await dataSource.OpenConnectionAsync())
        {
            await using var cmd = new NpgsqlCommand("update compensation_claims set fund_share_bp = 10000 where id = @id", conn);
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
        }
        report = await InvariantCheck.RunAsync(dataSource);
        Assert.Contains($"claim {id}: fund share 10000 bp, but loan {claim.Loan["loans/".Length..]} was guaranteed at 8000 bp", report.Problems);
        Assert.Contains(report.Problems, p => p.StartsWith($"claim {id}: split fund 12105000 / bank 3026250 fen is not 10000 bp", StringComparison.Ordinal));
    }
}
