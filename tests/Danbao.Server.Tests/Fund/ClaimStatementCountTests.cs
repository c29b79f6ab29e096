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
/// How many round trips and SQL statements a claim RPC sends, counted from Npgsql's activities for this
/// test's database only (one activity per command or batch round trip; a batch's text is its statements
/// joined by ";\n"; COMMIT is not an activity). Figures are printed; the rules asserted: ListClaims costs the
/// same for one claim as for a page of many (no per-row queries), and a claim write is a load batch and
/// one effects batch (before COMMIT) once the process knows the fund's and the bank's ledger accounts.
/// </summary>
public sealed class ClaimStatementCountTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task ListClaims_costs_the_same_for_one_claim_as_for_a_page_and_an_approval_is_a_load_and_an_effects_batch()
    {
        var steps = new FundSteps(server);
        var first = await steps.Consents(await steps.File(await steps.OverdueLoanWith150000Outstanding()));
        var approve = new ApproveClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = first.Name, Etag = first.Etag, DecidedDate = "2026-07-05" };
        var statements = new List<string>();
        var approval = await Count(async () => await steps.Fund.Fund.ApproveClaimAsync(approve), statements);
        output.WriteLine("ApproveClaim's round trips:\n  " + string.Join("\n  ", statements));
        var one = await Count(async () => await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 }));
        var filed = new List<Claim>();
        for (var i = 0; i < 4; i++)
        {
            filed.Add(await steps.Consents(await steps.File(await steps.OverdueLoanWith150000Outstanding())));
        }
        var listed = await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 });
        Assert.Equal(5, listed.Claims.Count);
        Assert.Equal(3, listed.Claims.Where(c => c.State == ClaimState.ClaimFiled).Sum(c => c.Consents.Count) / 4);
        var five = await Count(async () => await steps.Fund.Fund.ListClaimsAsync(new ListClaimsRequest { PageSize = 50 }));
        var get = await Count(async () => await steps.Fund.Fund.GetClaimAsync(new GetClaimRequest { Name = first.Name }));
        // A second approval: the fund's and the bank's accounts are known to the process by now.
        var second = filed[0];
        var again = await Count(async () => await steps.Fund.Fund.ApproveClaimAsync(new ApproveClaimRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = second.Name, Etag = second.Etag, DecidedDate = "2026-07-05",
        }));
        var overdue = await steps.OverdueLoanWith150000Outstanding();
        var fileStatements = new List<string>();
        var file = await Count(async () => await steps.File(overdue), fileStatements);
        output.WriteLine("FileClaim's round trips:\n  " + string.Join("\n  ", fileStatements));
        output.WriteLine($"round trips / statements: ApproveClaim {approval}, again {again}, FileClaim {file}, ListClaims (1 claim) {one}, (5 claims) {five}, GetClaim {get}");
        Assert.True(approval.RoundTrips > 0 && one.RoundTrips > 0, "no statement was counted: the listener sees nothing");
        Assert.Equal(one, five);
        Assert.Equal((1, 1), (one.RoundTrips, one.Statements));
        // Load: request id, claim, loan, ledger outstanding, fund lock, cash. Effects: release, compensation posting,
        // claim, loan, two audit events, stored reply.
        Assert.Equal((2, 13), again);
        // Load: request id, loan, repayments. Effects: claim, loan, two audit events, stored reply.
        Assert.Equal((2, 8), file);
    }

    /// <summary>Round trips and statements of <paramref name="call"/>.</summary>
    private async Task<(int RoundTrips, int Statements)> Count(Func<Task> call, List<string>? statements = null)
    {
        var database = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString).Database;
        var texts = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName)?.ToString() ?? "";
                // Npgsql 10 names the database db.namespace. Beside the call run the host's health check
                // (select 1), and, when a cached entry expires under a slow run, an API key's look-up and the
                // policy reference reload: none of them is the call's; nor is a physical connection the pool opens (CONNECT).
                if (Equals(activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name"), database) && text != "select 1"
                    && !text.Contains("api_keys", StringComparison.Ordinal) && !text.Contains("from lpr_rates", StringComparison.Ordinal)
                    && !text.StartsWith("CONNECT", StringComparison.Ordinal))
                {
                    lock (texts)
                    {
                        texts.Add(text);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await call();
        foreach (var text in texts)
        {
            statements?.Add($"[{Statements(text)}] " + string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))[..Math.Min(110, text.Length)]);
        }
        return (texts.Count, texts.Sum(Statements));
    }

    private static int Statements(string text) => text.Split(";\n").Length;
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
