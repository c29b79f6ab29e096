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
        foreach (var message in messages)
        {
            await call.RequestStream.WriteAsync(message, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
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
