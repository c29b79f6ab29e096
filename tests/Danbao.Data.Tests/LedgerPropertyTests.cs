using System.Text;
using Dapper;
using Danbao.Data.Accounting;
using Danbao.Data.Idempotency;
using Danbao.TestSupport;
using FsCheck;
using FsCheck.Fluent;

namespace Danbao.Data.Tests;

/// <summary>
/// Random sequences of postings, reversals and replayed requests against a real database:
/// every transaction balances, every stored balance equals the sum of its entries and the
/// model, and a replayed request id posts nothing new.
/// </summary>
public sealed class LedgerPropertyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int AccountCount = 4;
    private static readonly DateOnly BusinessDate = new(2025, 6, 30);
    private readonly Ledger _ledger = new();
    private readonly IdempotencyStore _idempotency = new();

    /// <summary>Post: move AmountFen from account From to To. Reverse/Replay: refer to the Target-th earlier operation.</summary>
    public sealed record Operation(string Kind, int From, int To, long AmountFen, int Target);

    private static Gen<Operation> OperationGen() =>
        Gen.Frequency(
            (5, from f in Gen.Choose(0, AccountCount - 1)
                from t in Gen.Choose(0, AccountCount - 1)
                from legs in Gen.Choose(1, 3)
                from amount in Gen.Choose(1, 1_000_000)
                select new Operation("post", f, (f + 1 + t % (AccountCount - 1)) % AccountCount, amount * (long)legs, 0)),
            (2, from target in Gen.Choose(0, 1000) select new Operation("reverse", 0, 0, 0, target)),
            (2, from target in Gen.Choose(0, 1000) select new Operation("replay", 0, 0, 0, target)));

    [Fact]
    public void Random_postings_reversals_and_replays_keep_the_ledger_balanced_and_post_each_request_once()
    {
        var arbitrary = Gen.ListOf(OperationGen()).Select(list => list.Take(25).ToList()).ToArbitrary();
        var property = Prop.ForAll(arbitrary, operations => RunCase(operations).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    private async Task<bool> RunCase(List<Operation> operations)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var codes = Enumerable.Range(0, AccountCount).Select(i => $"fund:PROP-{tag}:account_{i}").ToArray();
        var types = new[] { LedgerAccountType.Asset, LedgerAccountType.Liability, LedgerAccountType.Expense, LedgerAccountType.Equity };
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                for (var i = 0; i < AccountCount; i++)
                {
                    await _ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(codes[i], types[i], $"PROP-{tag}"), ct);
                }
                return 0;
            },
            CancellationToken.None);

        var debitsFen = new long[AccountCount];
        var creditsFen = new long[AccountCount];
        var sent = new List<(string RequestId, Operation Operation)>();
        var postedTransactionIds = new List<long>();
        var postedOperations = new Dictionary<long, Operation>();
        var reversed = new HashSet<long>();
        var expectedTransactions = 0;

        foreach (var operation in operations)
        {
            var (requestId, effective) = operation.Kind switch
            {
                "replay" when sent.Count > 0 => sent[operation.Target % sent.Count],
                "replay" => ($"{tag}-{sent.Count}", operation with { Kind = "post", From = 0, To = 1, AmountFen = 1 }),
                _ => ($"{tag}-{sent.Count}", operation),
            };
            var isReplay = operation.Kind == "replay" && sent.Count > 0;
            var hash = IdempotencyStore.Hash(Encoding.UTF8.GetBytes(effective.ToString()));
            var reversible = postedTransactionIds.Where(id => !reversed.Contains(id)).ToList();
            long? toReverse = reversible.Count == 0 ? null : reversible[effective.Target % reversible.Count];

            var outcome = await postgres.Database.InTransactionAsync(
                async (connection, transaction, ct) =>
                {
                    var claim = await _idempotency.ClaimAsync(connection, transaction, tag, requestId, effective.Kind, hash, ct);
                    if (claim is IdempotencyClaim.Replay replay)
                    {
                        return (Replayed: true, TransactionId: BitConverter.ToInt64(replay.Response));
                    }
                    if (claim is not IdempotencyClaim.New)
                    {
                        throw new InvalidOperationException($"unexpected claim {claim}");
                    }
                    long transactionId;
                    if (effective.Kind == "reverse")
                    {
                        transactionId = toReverse is { } original
                            ? await _ledger.ReverseAsync(connection, transaction, original, requestId, "property", BusinessDate, ct)
                            : 0; // Nothing left to reverse: a no-op request.
                    }
                    else
                    {
                        transactionId = await _ledger.PostAsync(connection, transaction, new LedgerTransactionRequest
                        {
                            Kind = "transfer",
                            CauseType = "property",
                            CauseId = tag,
                            RequestId = requestId,
                            BusinessDate = BusinessDate,
                            Postings = [LedgerPosting.Debit(codes[effective.To], effective.AmountFen), LedgerPosting.Credit(codes[effective.From], effective.AmountFen)],
                        }, ct);
                    }
                    await _idempotency.CompleteAsync(connection, transaction, tag, requestId, BitConverter.GetBytes(transactionId), ct);
                    return (Replayed: false, TransactionId: transactionId);
                },
                CancellationToken.None);

            if (outcome.Replayed != isReplay)
            {
                return false;
            }
            if (isReplay)
            {
                continue;
            }
            sent.Add((requestId, effective));
            if (outcome.TransactionId == 0)
            {
                continue;
            }
            expectedTransactions++;
            if (effective.Kind == "reverse")
            {
                // The mirror of the original, from the model's own record of it.
                var original = postedOperations[toReverse!.Value];
                debitsFen[original.From] += original.AmountFen;
                creditsFen[original.To] += original.AmountFen;
                reversed.Add(toReverse.Value);
            }
            else
            {
                debitsFen[effective.To] += effective.AmountFen;
                creditsFen[effective.From] += effective.AmountFen;
                postedTransactionIds.Add(outcome.TransactionId);
                postedOperations[outcome.TransactionId] = effective;
            }
        }

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var report = await _ledger.VerifyAsync(connection);
        Assert.True(report.IsConsistent, string.Join("; ", report.UnbalancedTransactions.Concat(report.BalanceMismatches)));
        var transactionsPosted = await connection.ExecuteScalarAsync<long>(
            "select count(*) from ledger_transactions where cause_id = @tag", new { tag });
        Assert.Equal(expectedTransactions, transactionsPosted);
        for (var i = 0; i < AccountCount; i++)
        {
            var balance = await _ledger.BalanceAsync(connection, null, codes[i]);
            Assert.Equal((debitsFen[i], creditsFen[i]), (balance.DebitsFen, balance.CreditsFen));
            var normalIsDebit = types[i] is LedgerAccountType.Asset or LedgerAccountType.Expense;
            Assert.Equal(normalIsDebit ? debitsFen[i] - creditsFen[i] : creditsFen[i] - debitsFen[i], balance.BalanceFen);
        }
        return true;
    }
}
