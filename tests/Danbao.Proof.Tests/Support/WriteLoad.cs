using System.Collections.Concurrent;
using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Npgsql;

namespace Danbao.Proof.Tests.Support;

/// <summary>One write as the client saw it: its request id, what it was, and the answer it finally got.</summary>
public sealed record WriteOutcome(string RequestId, string Kind, string? Loan, StatusCode? Status, long PrincipalFen, int Attempts, string? CreatedLoan);

/// <summary>
/// Banks' most frequent writes (RecordRepayment on disbursed loans, CreateLoan), from several
/// workers, each write retried with the same request_id until the server answers it — whatever
/// happens to the server or its database meanwhile.
/// </summary>
public sealed class WriteLoad(Func<DanbaoClient> bank, IReadOnlyList<string> loans, string paidDate = "2026-01-05")
{
    /// <summary>Failures that mean "no answer yet": retry with the same id.</summary>
    private static readonly HashSet<StatusCode> NoAnswer =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Cancelled, StatusCode.Unknown, StatusCode.Internal, StatusCode.Aborted, StatusCode.ResourceExhausted];

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    public ConcurrentBag<WriteOutcome> Outcomes { get; } = [];

    /// <summary>Status codes seen on attempts that were retried (how the faults looked to clients).</summary>
    public ConcurrentDictionary<StatusCode, int> RetriedOn { get; } = new();

    public int Answered => Outcomes.Count;

    public async Task RunAsync(int workers, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w, stop), CancellationToken.None)));
    }

    private async Task WorkerAsync(int worker, CancellationToken stop)
    {
        var random = new Random(worker * 7919 + Environment.TickCount);
        using var client = bank();
        while (!stop.IsCancellationRequested)
        {
            if (random.Next(4) == 0)
            {
                var request = Lifecycle.Application(amountFen: 100_000_00);
                var (status, reply, attempts) = await UntilAnsweredAsync(() => client.Loans.CreateLoanAsync(request).ResponseAsync);
                Outcomes.Add(new WriteOutcome(request.RequestId, "CreateLoan", null, status, 0, attempts, reply?.Name));
            }
            else
            {
                var request = new RecordRepaymentRequest
                {
                    RequestId = DanbaoClient.NewRequestId(),
                    Name = loans[random.Next(loans.Count)],
                    AmountFen = 2_000_00 + random.Next(1, 100) * 100,
                    PaidDate = paidDate,
                };
                var (status, reply, attempts) = await UntilAnsweredAsync(() => client.Loans.RecordRepaymentAsync(request).ResponseAsync);
                Outcomes.Add(new WriteOutcome(request.RequestId, "RecordRepayment", request.Name, status, reply?.PrincipalFen ?? 0, attempts, null));
            }
        }
    }

    private async Task<(StatusCode? Status, T? Reply, int Attempts)> UntilAnsweredAsync<T>(Func<Task<T>> call) where T : class
    {
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (StatusCode.OK, await call(), attempt);
            }
            catch (RpcException ex) when (NoAnswer.Contains(ex.StatusCode))
            {
                RetriedOn.AddOrUpdate(ex.StatusCode, 1, (_, n) => n + 1);
                if (DateTime.UtcNow - started > GiveUpAfter)
                {
                    return (null, null, attempt);
                }
                await Task.Delay(50 + Random.Shared.Next(100));
            }
            catch (RpcException ex)
            {
                return (ex.StatusCode, null, attempt);
            }
        }
    }

    /// <summary>
    /// Checks each write against the database: acknowledged → took effect exactly once, with the
    /// figures of the reply; refused → no effect; never answered → at most once.
    /// </summary>
    public async Task<List<string>> CheckAsync(NpgsqlDataSource dataSource)
    {
        var problems = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync();
        var repayments = new Dictionary<string, (int Count, long Principal, string Loan)>();
        await using (var cmd = new NpgsqlCommand("select request_id, count(*), sum(principal_fen), min(loan_id) from loan_repayments group by request_id", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                repayments[reader.GetString(0)] = ((int)reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
            }
        }
        var submitted = new Dictionary<string, (int Count, string Loan)>();
        await using (var cmd = new NpgsqlCommand("select request_id, count(*), min(subject_id) from audit_events where action = 'loan.submitted' group by request_id", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                submitted[reader.GetString(0)] = ((int)reader.GetInt64(1), reader.GetString(2));
            }
        }
        foreach (var o in Outcomes)
        {
            var count = o.Kind == "CreateLoan" ? submitted.GetValueOrDefault(o.RequestId).Count : repayments.GetValueOrDefault(o.RequestId).Count;
            switch (o.Status)
            {
                case StatusCode.OK when count != 1:
                    problems.Add($"{o.Kind} {o.RequestId} was acknowledged but took effect {count} times");
                    break;
                case StatusCode.OK when o.Kind == "RecordRepayment" && repayments[o.RequestId].Principal != o.PrincipalFen:
                    problems.Add($"{o.Kind} {o.RequestId}: reply said principal {o.PrincipalFen}, database has {repayments[o.RequestId].Principal}");
                    break;
                case StatusCode.OK when o.Kind == "CreateLoan" && "loans/" + submitted[o.RequestId].Loan != o.CreatedLoan:
                    problems.Add($"{o.Kind} {o.RequestId}: reply named {o.CreatedLoan}, audit names {submitted[o.RequestId].Loan}");
                    break;
                case null when count > 1:
                    problems.Add($"{o.Kind} {o.RequestId} was never answered yet took effect {count} times");
                    break;
                case not null and not StatusCode.OK when count != 0:
                    problems.Add($"{o.Kind} {o.RequestId} was refused ({o.Status}) yet took effect {count} times");
                    break;
            }
        }
        return problems;
    }

    public string Summary() =>
        $"{Outcomes.Count} writes answered ({Outcomes.Count(o => o.Status == StatusCode.OK)} OK, "
        + string.Join(", ", Outcomes.Where(o => o.Status != StatusCode.OK).GroupBy(o => o.Status?.ToString() ?? "never").Select(g => $"{g.Count()} {g.Key}"))
        + $"); {Outcomes.Count(o => o.Attempts > 1)} needed retries; retried on: "
        + string.Join(", ", RetriedOn.Select(r => $"{r.Key}×{r.Value}"));
}
