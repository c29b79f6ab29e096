using Danbao.Contracts.V1;
using Grpc.Core;

namespace Danbao.Client;

/// <summary>The streaming RPCs as single awaitable calls, for programs that do not need the stream itself.</summary>
public static class StreamingCalls
{
    /// <summary>
    /// Streams a bank's loan-level statement (as_of_date in the first message, lines in any number
    /// of messages) and returns the breaks against the ledger. Role: BANK.
    /// </summary>
    public static async Task<StatementComparison> UploadBankStatementAsync(this FundService.FundServiceClient fund,
        IEnumerable<UploadBankStatementRequest> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fund);
        ArgumentNullException.ThrowIfNull(messages);
        using var call = fund.UploadBankStatement(cancellationToken: cancellationToken);
        return await SendAsync(call, messages, cancellationToken);
    }

    /// <summary>
    /// Streams a bank's loan-level statement from <paramref name="lines"/> as they are enumerated,
    /// <paramref name="linesPerMessage"/> a message (as_of_date in the first), and returns the breaks
    /// against the ledger. One message object is reused (each is serialised before its write completes),
    /// so a statement of any size is never held. Role: BANK.
    /// </summary>
    public static async Task<StatementComparison> UploadBankStatementAsync(this FundService.FundServiceClient fund, string asOfDate,
        IEnumerable<StatementLine> lines, int linesPerMessage = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fund);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerMessage);
        using var call = fund.UploadBankStatement(cancellationToken: cancellationToken);
        return await SendAsync(call, StatementMessages(asOfDate, lines, linesPerMessage), cancellationToken);
    }

    private static IEnumerable<UploadBankStatementRequest> StatementMessages(string asOfDate, IEnumerable<StatementLine> lines, int linesPerMessage)
    {
        var message = new UploadBankStatementRequest { AsOfDate = asOfDate };
        var sent = false;
        foreach (var line in lines)
        {
            message.Lines.Add(line);
            if (message.Lines.Count == linesPerMessage)
            {
                yield return message; // written before the next line is added
                sent = true;
                message.AsOfDate = "";
                message.Lines.Clear();
            }
        }
        if (message.Lines.Count > 0 || !sent)
        {
            yield return message;
        }
    }

    /// <summary>
    /// Streams a bank's loan-level statement in the packed form (packed_lines, see <see cref="PackedStatementLines"/>):
    /// the server stages it without an object per line. Blocks of up to 64 KiB or <paramref name="linesPerMessage"/>
    /// lines (at most 10,000); one buffer is reused, so a statement of any size is never held. Role: BANK.
    /// </summary>
    public static Task<StatementComparison> UploadPackedBankStatementAsync(this FundService.FundServiceClient fund, string asOfDate,
        IEnumerable<StatementLine> lines, int linesPerMessage = PackedStatementLines.LinesPerMessageMax, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fund);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerMessage);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(linesPerMessage, PackedStatementLines.LinesPerMessageMax);
        return fund.UploadBankStatementAsync(PackedStatementLines.Messages(asOfDate, lines, linesPerMessage), cancellationToken);
    }

    /// <summary>
    /// Streams a claim's lines (StreamSubsidyClaimLines): <paramref name="lines"/> are sent as they are enumerated,
    /// <paramref name="linesPerMessage"/> (at most 10,000) per message, the first carrying the request id and the
    /// claim, so a file of any size is never held in memory. All or nothing. A retry with the same request id must
    /// send the same lines in the same messages (it then gets the first reply). Role: BANK.
    /// </summary>
    public static async Task<StreamSubsidyClaimLinesResponse> StreamSubsidyClaimLinesAsync(this SubsidyService.SubsidyServiceClient subsidy,
        string claim, string requestId, IEnumerable<SubsidyClaimLineInput> lines, int linesPerMessage = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subsidy);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerMessage);
        return await subsidy.StreamSubsidyClaimLinesAsync(Messages(claim, requestId, lines, linesPerMessage), cancellationToken);
    }

    /// <summary>Streams the given messages of a claim's lines (the first carries request_id and the claim).</summary>
    public static async Task<StreamSubsidyClaimLinesResponse> StreamSubsidyClaimLinesAsync(this SubsidyService.SubsidyServiceClient subsidy,
        IEnumerable<StreamSubsidyClaimLinesRequest> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subsidy);
        ArgumentNullException.ThrowIfNull(messages);
        using var call = subsidy.StreamSubsidyClaimLines(cancellationToken: cancellationToken);
        return await SendAsync(call, messages, cancellationToken);
    }

    /// <summary>
    /// Writes the messages and returns the server's answer. The server may answer before it has read them all (a
    /// refusal: a message too large, a stream too long): its status is then the answer, and a write still waiting
    /// (for flow-control credit the server will never give) is abandoned with the call instead of waited for.
    /// </summary>
    private static async Task<TResponse> SendAsync<TRequest, TResponse>(AsyncClientStreamingCall<TRequest, TResponse> call,
        IEnumerable<TRequest> messages, CancellationToken cancellationToken)
    {
        var sending = WriteAllAsync(call.RequestStream, messages, cancellationToken);
        if (await Task.WhenAny(sending, call.ResponseAsync) != sending)
        {
            _ = sending.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return await call.ResponseAsync; // disposing the call then cancels the write
        }
        try
        {
            await sending;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or System.Net.Http.HttpRequestException or IOException
                                   && !cancellationToken.IsCancellationRequested && !RefusedHere(e))
        {
            // The server ended the call while messages were still being sent: its status is the answer. A reset that
            // reaches the HTTP/2 stream before the call sees the status surfaces from the write as the HTTP layer's
            // exception (STREAM_CLOSED), not as an RpcException.
        }
        return await call.ResponseAsync;
    }

    /// <summary>
    /// Whether this client refused to send a message (above its own MaxMessageBytes): nothing reached the server, which is
    /// still waiting for it, so the call's status would come only at its deadline. The refusal is the answer.
    /// </summary>
    private static bool RefusedHere(Exception e) =>
        e is RpcException { StatusCode: StatusCode.ResourceExhausted } rpc && rpc.Status.Detail.StartsWith("Sending message exceeds", StringComparison.Ordinal);

    private static async Task WriteAllAsync<TRequest>(IClientStreamWriter<TRequest> writer, IEnumerable<TRequest> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        await writer.CompleteAsync();
    }

    private static IEnumerable<StreamSubsidyClaimLinesRequest> Messages(string claim, string requestId, IEnumerable<SubsidyClaimLineInput> lines, int linesPerMessage)
    {
        var message = new StreamSubsidyClaimLinesRequest { RequestId = requestId, Claim = claim };
        var sent = false;
        foreach (var line in lines)
        {
            message.Lines.Add(line);
            if (message.Lines.Count == linesPerMessage)
            {
                yield return message;
                sent = true;
                message = new StreamSubsidyClaimLinesRequest();
            }
        }
        if (message.Lines.Count > 0 || !sent)
        {
            yield return message;
        }
    }

    /// <summary>The breaks of an uploaded statement as CSV text (loan,kind,ours_fen,theirs_fen), streamed in chunks.</summary>
    public static async Task<string> ExportStatementBreaksCsvAsync(this FundService.FundServiceClient fund,
        ExportStatementBreaksRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fund);
        using var call = fund.ExportStatementBreaks(request, cancellationToken: cancellationToken);
        var csv = new System.Text.StringBuilder();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            csv.Append(chunk.Data.ToStringUtf8());
        }
        return csv.ToString();
    }

    /// <summary>The settlement report's per-loan rows as CSV (the streamed chunks concatenated).</summary>
    public static async Task<byte[]> ExportSubsidySettlementReportCsvAsync(this SubsidyService.SubsidyServiceClient subsidy,
        GetSubsidySettlementReportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subsidy);
        using var call = subsidy.ExportSubsidySettlementReport(request, cancellationToken: cancellationToken);
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            chunk.Data.WriteTo(buffer);
        }
        return buffer.ToArray();
    }
}
