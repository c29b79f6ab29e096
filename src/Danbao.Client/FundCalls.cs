using Danbao.Contracts.V1;
using Danbao.Grpc;

namespace Danbao.Client;

/// <summary>The rpcs of danbao.v1.FundService: the guarantee fund's ledger (docs/fund-ledger.md).</summary>
public sealed class FundCalls
{
    private readonly DanbaoClient _client;
    private readonly string? _apiKey;

    internal FundCalls(DanbaoClient client, string? apiKey)
    {
        _client = client;
        _apiKey = apiKey;
    }

    /// <summary>The finance bureau contributes capital to a fund of its region. Role: FINANCE_BUREAU.</summary>
    public Task<CapitalContribution> ContributeCapitalAsync(ContributeCapitalRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ContributeCapitalRequest, CapitalContribution>("/danbao.v1.FundService/ContributeCapital", request, ct);

    /// <summary>Balance, outstanding guarantees, leverage in use, claims in the pipeline, loss rate.</summary>
    public Task<FundOverview> GetFundOverviewAsync(GetFundOverviewRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetFundOverviewRequest, FundOverview>("/danbao.v1.FundService/GetFundOverview", request, ct);

    /// <summary>A bank files a compensation (代偿) claim for its loan overdue more than 90 days. Role: BANK.</summary>
    public Task<Claim> FileClaimAsync(FileClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<FileClaimRequest, Claim>("/danbao.v1.FundService/FileClaim", request, ct);

    /// <summary>A claim the caller may see.</summary>
    public Task<Claim> GetClaimAsync(GetClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetClaimRequest, Claim>("/danbao.v1.FundService/GetClaim", request, ct);

    /// <summary>Claims the caller may see, by id.</summary>
    public Task<ListClaimsResponse> ListClaimsAsync(ListClaimsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListClaimsRequest, ListClaimsResponse>("/danbao.v1.FundService/ListClaims", request, ct);

    /// <summary>HRSS, finance, or (through the fund operator) PBOC consent to a compensation or write-off.</summary>
    public Task<Claim> RecordClaimConsentAsync(RecordClaimConsentRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RecordClaimConsentRequest, Claim>("/danbao.v1.FundService/RecordClaimConsent", request, ct);

    /// <summary>The fund operator approves: the fund pays its share; the loan becomes COMPENSATED. Role: FUND_OPERATOR.</summary>
    public Task<Claim> ApproveClaimAsync(ApproveClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ApproveClaimRequest, Claim>("/danbao.v1.FundService/ApproveClaim", request, ct);

    /// <summary>The fund operator rejects, naming why; the loan is OVERDUE again. Role: FUND_OPERATOR.</summary>
    public Task<Claim> RejectClaimAsync(RejectClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RejectClaimRequest, Claim>("/danbao.v1.FundService/RejectClaim", request, ct);

    /// <summary>A recovery (追偿) net of costs, shared back in the loss ratio. Role: FUND_OPERATOR.</summary>
    public Task<Claim> RecordRecoveryAsync(RecordRecoveryRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RecordRecoveryRequest, Claim>("/danbao.v1.FundService/RecordRecovery", request, ct);

    /// <summary>Write-off (呆账核销) of what is unrecovered. Role: FUND_OPERATOR.</summary>
    public Task<Claim> WriteOffClaimAsync(WriteOffClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<WriteOffClaimRequest, Claim>("/danbao.v1.FundService/WriteOffClaim", request, ct);

    /// <summary>A bank's period reconciliation, computed from the journal.</summary>
    public Task<BankReconciliation> GetBankReconciliationAsync(GetBankReconciliationRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetBankReconciliationRequest, BankReconciliation>("/danbao.v1.FundService/GetBankReconciliation", request, ct);

    /// <summary>
    /// Streams a bank's loan-level statement (as_of_date in the first message, lines in any number
    /// of messages) and returns the breaks against the ledger. Role: BANK.
    /// </summary>
    public async Task<StatementComparison> UploadBankStatementAsync(IEnumerable<UploadBankStatementRequest> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var call = _client.Grpc.ClientStreaming<UploadBankStatementRequest, StatementComparison>(
            "/danbao.v1.FundService/UploadBankStatement", new CallOptions { BearerToken = _apiKey, CancellationToken = ct });
        foreach (var message in messages)
        {
            await call.RequestStream.WriteAsync(message);
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>The breaks of an uploaded statement as CSV text (loan,kind,ours_fen,theirs_fen), streamed in chunks.</summary>
    public async Task<string> ExportStatementBreaksAsync(ExportStatementBreaksRequest request, CancellationToken ct = default)
    {
        using var call = _client.Grpc.ServerStreaming<ExportStatementBreaksRequest, BreaksCsvChunk>(
            "/danbao.v1.FundService/ExportStatementBreaks", request, new CallOptions { BearerToken = _apiKey, CancellationToken = ct });
        var csv = new System.Text.StringBuilder();
        await foreach (var chunk in call.ReadAllAsync())
        {
            csv.Append(chunk.Data.ToStringUtf8());
        }
        return csv.ToString();
    }
}
