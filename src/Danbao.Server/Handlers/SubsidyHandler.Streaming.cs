using System.Buffers;
using System.Security.Cryptography;
using Danbao.Contracts.V1;
using Danbao.Data.Idempotency;
using Danbao.Data.Subsidy;
using Danbao.Server.Calls;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Npgsql;

namespace Danbao.Server.Handlers;

// A claim's lines streamed in (client streaming): recomputed batch by batch as they arrive, written by binary
// COPY into the call's one transaction; memory holds one batch, whatever the claim's size.
public sealed partial class SubsidyHandler
{
    [Roles(Role.Bank)]
    public override async Task<StreamSubsidyClaimLinesResponse> StreamSubsidyClaimLines(IAsyncStreamReader<StreamSubsidyClaimLinesRequest> requests, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;
        if (!await requests.MoveNext(ct))
        {
            throw RpcErrors.InvalidArgument("the stream is empty: its first message carries request_id and the claim", ("claim", "required in the first message"));
        }
        var first = requests.Current;
        var claimId = SubsidyMapping.IdOf(first.Claim, "claim");
        var errors = new FieldErrors();
        var requestId = errors.RequestId("request_id", first.RequestId);
        errors.ThrowIfAny();
        // The request is every message: hashed as it passes (a retry sends the same messages), never held.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // No retry around this transaction: a client stream cannot be replayed.
        await using var session = await database.OpenWriteSessionAsync(ct);
        var store = session.Subsidy;
        var record = Visible(caller, await store.FindClaimAsync(claimId, true), first.Claim);
        // The claim is locked: a retry of a finished stream is recognised before anything is filed again.
        if (await session.Requests.FindAsync(caller.InstitutionId, requestId) is { } prior)
        {
            do
            {
                Hash(hash, requests.Current);
            }
            while (await requests.MoveNext(ct));
            var sameMethod = prior.Method == context.Method;
            if (!sameMethod || !prior.RequestHash.AsSpan().SequenceEqual(hash.GetHashAndReset()) || prior.Response is null)
            {
                throw RequestIdReused(requestId, sameMethod, prior.Method);
            }
            return StreamSubsidyClaimLinesResponse.Parser.ParseFrom(prior.Response);
        }
        var policy = await reference.GetAsync(ct);
        var today = Today();
        var limits = streamLimits;
        var tally = new Domain.Subsidy.SubsidyClaimSummary.Tally();
        var reply = new StreamSubsidyClaimLinesResponse();
        var batch = new List<ClaimLineRequest>(limits.BatchLines);
        var seen = new HashSet<(string, string)>();
        var received = 0;
        var filed = 0;
        long interestTotal = 0, subsidyTotal = 0;

        // A batch moves through three stages: loaded (its loans' facts read on a side connection), judged (its rows
        // encoded, on a pool thread), written (sent to the stream's one COPY on the call's connection, which PostgreSQL
        // inserts at its own pace). A load starts as soon as its batch is received and has until the step after next to
        // finish, so loads overlap each other and the judging and writing of earlier batches; the next batch is
        // received and checked meanwhile. Refusals keep the lines' order: everything is awaited, and the COPY ended,
        // before a refusal is raised, the COPY's first (its lines came first). A batch waiting to be written is kept
        // as its encoded rows (two buffers, one per batch being judged or written, reused) and its lines, the last few
        // of which are kept to name a refused line's loan.
        var loading = new Queue<(List<ClaimLineRequest> Lines, int FirstIndex, Task<BatchFacts> Facts)>();
        (ClaimLineCopyRows Rows, List<ClaimLineRequest> Lines, int FirstIndex)? judged = null;
        var buffers = new[] { new ClaimLineCopyRows(limits.BatchLines * ClaimLineCopyRows.RowBytes), new ClaimLineCopyRows(limits.BatchLines * ClaimLineCopyRows.RowBytes) };
        var batches = 0;
        ClaimLinesCopy? copy = null;
        var written = new Queue<(int FirstIndex, List<ClaimLineRequest> Lines)>();

        // The loans and repayments are committed rows this call does not change: read beside the write, at READ
        // COMMITTED as the write's own statements would read them.
        async Task<BatchFacts> LoadAsync(List<ClaimLineRequest> lines)
        {
            await using var side = await database.OpenSideReadSessionAsync(ct);
            return await LoadFactsAsync(side.Subsidy, record, lines);
        }

        async Task CopyAsync(ClaimLineCopyRows rows, List<ClaimLineRequest> lines, int firstIndex)
        {
            copy ??= await store.BeginLinesCopyAsync();
            await copy.WriteAsync(rows);
            written.Enqueue((firstIndex, lines));
            if (written.Count > WrittenBatchesKept)
            {
                written.Dequeue();
            }
        }

        // Ends the COPY. A line already in this claim (in this stream or filed before), or a live line of the bank's
        // own loan in any claim, is refused by the database's keys, which name the row: the loan is named too when its
        // batch is among the last written.
        async Task EndCopyAsync()
        {
            if (copy is not { } ending)
            {
                return;
            }
            copy = null;
            try
            {
                await ending.CompleteAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                var line = ClaimLinesCopy.RefusedLine(e);
                var loan = line is { } l ? written.Where(b => l >= b.FirstIndex && l < b.FirstIndex + b.Lines.Count)
                    .Select(b => b.Lines[(int)(l - b.FirstIndex)].Input.LoanId).FirstOrDefault() : null;
                throw LineExists(record.Quarter, loan is null ? [] : [loan], line is { } at ? (int)at : null);
            }
            finally
            {
                await ending.DisposeAsync();
            }
        }

        // One step of the pipeline: starts loading `next` (if there is one) and, once more than LoadsAhead batches
        // are loading (or when draining), judges the oldest while the connection writes the judged one. A load so
        // has the step it started in and the next to finish, beside the judging and writing of earlier batches.
        async Task StepAsync(List<ClaimLineRequest>? next, int nextFirstIndex)
        {
            if (next is not null)
            {
                loading.Enqueue((next, nextFirstIndex, LoadAsync(next)));
            }
            var writing = Task.CompletedTask;
            if (judged is { } previous)
            {
                judged = null;
                writing = CopyAsync(previous.Rows, previous.Lines, previous.FirstIndex);
            }
            if (loading.Count == 0 || (next is not null && loading.Count <= LoadsAhead))
            {
                await writing;
                return;
            }
            var ready = loading.Dequeue();
            BatchFacts facts;
            try
            {
                facts = await ready.Facts;
            }
            catch
            {
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }
            // A fresh aggregate per batch, counting the lines already filed: one that lived for the whole stream would
            // hold every line it added (a million-line claim's lines in memory, and the collector scanning them).
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record with { LineCount = record.LineCount + filed }, [], [], []));
            var rows = buffers[batches++ % 2];
            rows.Clear();
            // The reply shows the lines that need attention, the first LinesEchoedMax of them (one more tells it is cut).
            var room = LinesEchoedMax - reply.Lines.Count;
            var kept = 0;
            bool Keep(SubsidyClaimLineRecord r) => r.Flag != "MATCHES" && kept++ <= room;
            (List<SubsidyClaimLineRecord> Kept, List<Domain.Subsidy.SubsidyClaimLine> Added) verdicts;
            if (writing.IsCompleted && loading.Count == 0 && next is null)
            {
                // Nothing else to do (a one-batch stream, or the last batch): it is judged on every core.
                await writing;
                verdicts = Judge(record, claim, ready.Lines, ready.FirstIndex, facts, policy, today, rows, Keep, parallel: true);
            }
            else
            {
                var judging = Task.Run(() => Judge(record, claim, ready.Lines, ready.FirstIndex, facts, policy, today, rows, Keep, parallel: false), ct);
                try
                {
                    await writing;
                }
                catch
                {
                    // The earlier lines' failure is the one raised, once nothing is left running beside the connection.
                    await ((Task)judging).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    throw;
                }
                verdicts = await judging;
            }
            var (shown, added) = verdicts;
            foreach (var line in added)
            {
                tally.Add(line);
            }
            filed += added.Count;
            foreach (var r in shown)
            {
                if (reply.Lines.Count < LinesEchoedMax)
                {
                    reply.Lines.Add(SubsidyMapping.ToProto(r));
                }
                else
                {
                    reply.LinesTruncated = true;
                }
            }
            judged = (rows, ready.Lines, ready.FirstIndex);
        }

        // Loads still running when the stream fails are waited for (they hold side connections), their failures dropped.
        async Task ForgetLoadsAsync()
        {
            while (loading.TryDequeue(out var pending))
            {
                await ((Task)pending.Facts).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        // The step in flight: the next batch's lines are received and checked while it runs (the loop and the steps
        // share no state), so PostgreSQL's backends do not wait for the server to read a message.
        var stepping = Task.CompletedTask;

        // Every batch received so far through all three stages: at the end, and before a later line's refusal is
        // raised, so that an earlier line's refusal is the one the caller gets.
        async Task DrainAsync()
        {
            await stepping;
            while (loading.Count > 0 || judged is not null)
            {
                await StepAsync(null, 0);
            }
        }

        async Task FlushAsync()
        {
            var lines = batch;
            batch = new List<ClaimLineRequest>(limits.BatchLines);
            seen.Clear();
            await stepping;
            stepping = StepAsync(lines, received - lines.Count);
        }

        try
        {
            do
            {
                var message = requests.Current;
                Hash(hash, message);
                if ((message.RequestId.Length > 0 && message.RequestId != requestId) || (message.Claim.Length > 0 && message.Claim != first.Claim))
                {
                    throw RpcErrors.InvalidArgument("request_id and claim are sent in the first message; later messages leave them empty or repeat them",
                        (message.RequestId != requestId ? "request_id" : "claim", "the first message's, or empty"));
                }
                if (message.Lines.Count > SubsidyStore.LinesPerBatchMax)
                {
                    throw RpcErrors.InvalidArgument($"a message carries at most {SubsidyStore.LinesPerBatchMax} lines; send more messages",
                        ("lines", $"at most {SubsidyStore.LinesPerBatchMax} per message"));
                }
                if (received + message.Lines.Count > limits.LinesPerStreamMax)
                {
                    throw RpcErrors.ResourceExhausted(Domain.Subsidy.SubsidyReasons.StreamTooLarge,
                        $"a stream carries at most {limits.LinesPerStreamMax} lines (--subsidy-stream-lines-max); file the rest in another call");
                }
                foreach (var line in message.Lines)
                {
                    if (ClaimLineRequest.Validate(errors, received, line, seen) is { } input)
                    {
                        interestTotal = SumOrRefuse(interestTotal, line.InterestPaidFen, received, ".interest_paid_fen");
                        subsidyTotal = SumOrRefuse(subsidyTotal, line.SubsidyClaimedFen, received, ".subsidy_claimed_fen");
                        batch.Add(input);
                    }
                    received++;
                    if (errors.Any)
                    {
                        await DrainAsync();
                        errors.ThrowIfAny();
                    }
                    if (batch.Count == limits.BatchLines)
                    {
                        await FlushAsync();
                    }
                }
            }
            while (await requests.MoveNext(ct));
            if (received == 0)
            {
                throw RpcErrors.InvalidArgument("the stream has no lines", ("lines", "at least one line"));
            }
            if (batch.Count > 0)
            {
                await FlushAsync();
            }
            await DrainAsync();
            await EndCopyAsync();
        }
        catch (RpcException later)
        {
            // The step in flight ends first (it uses the connection). Its refusal is of earlier lines than the one caught,
            // and the rows already sent to the COPY are earlier still: PostgreSQL's refusal of one comes as the COPY ends.
            var refusal = later;
            try
            {
                await stepping;
            }
            catch (RpcException earlier)
            {
                refusal = earlier;
            }
            await ForgetLoadsAsync();
            await EndCopyAsync();
            if (refusal != later)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusal);
            }
            throw;
        }
        catch
        {
            await stepping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ForgetLoadsAsync();
            throw;
        }
        finally
        {
            if (copy is not null)
            {
                await copy.DisposeAsync(); // abandoned: nothing of it is kept
            }
        }
        var claimed = await session.Requests.ClaimAsync(caller.InstitutionId, requestId, context.Method, hash.GetHashAndReset());
        if (claimed is not IdempotencyClaim.New)
        {
            // Only another call with this id, finished while this one ran (on another claim: this one is locked).
            throw RequestIdReused(requestId, claimed is IdempotencyClaim.Replay, context.Method);
        }
        var summary = tally.Build();
        var saved = await store.WriteSummaryAsync(claimId, summary, add: true, null);
        session.Audit.Append(WriteScope.Event(caller, clock.GetUtcNow(), requestId, SubjectType, claimId, "subsidy_claim.lines_added",
            record.State, saved.State, new { lines = received, streamed = true, lines_late = summary.LinesLate, claimed_subsidy_fen = summary.All.Claimed.Fen, expected_subsidy_fen = summary.All.Expected.Fen }));
        reply.Claim = SubsidyMapping.ToProto(saved);
        reply.LinesReceived = received;
        session.Requests.Complete(caller.InstitutionId, requestId, reply.ToByteArray()); // with the audit event, before COMMIT
        await session.CommitAsync();
        return reply;
    }

    /// <summary>Appends one message to the request's hash, length first (so messages cannot be re-cut), without keeping it.</summary>
    private static void Hash(IncrementalHash hash, IMessage message)
    {
        var size = message.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size + 4);
        try
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer, size);
            message.WriteTo(buffer.AsSpan(4, size));
            hash.AppendData(buffer, 0, size + 4);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The claimed amounts of a stream are summed in 64 bits of fen: past that they are refused, never wrapped.</summary>
    private static long SumOrRefuse(long total, long amount, int index, string field) =>
        amount >= 0 && long.MaxValue - total < amount
            ? throw RpcErrors.InvalidArgument("the lines' amounts add up to more than a 64-bit fen total", (ClaimLineRequest.Field(index) + field, "the lines' total must fit in 64 bits of fen"))
            : total + Math.Max(0, amount);

    /// <summary>As WriteRunner answers a reused request id (a streamed request is claimed at its end, not through it).</summary>
    private static RpcException RequestIdReused(string requestId, bool sameMethod, string existingMethod) =>
        RpcErrors.Build(StatusCode.AlreadyExists,
            sameMethod
                ? $"request_id '{requestId}' was already used for a different request; use a new id for a new request"
                : $"request_id '{requestId}' was already used for {existingMethod}; use a new id for a new request",
            new ErrorInfo { Reason = "REQUEST_ID_REUSED", Domain = RpcErrors.Domain, Metadata = { ["request_id"] = requestId } },
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "request_id", Description = "already used for a different request" } } });
}

