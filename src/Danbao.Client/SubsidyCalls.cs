using Danbao.Contracts.V1;
using Danbao.Grpc;

namespace Danbao.Client;

/// <summary>The rpcs of danbao.v1.SubsidyService (贴息 claims) and danbao.v1.AwardService (奖补).</summary>
public sealed class SubsidyCalls
{
    private readonly DanbaoClient _client;
    private readonly string? _apiKey;

    internal SubsidyCalls(DanbaoClient client, string? apiKey)
    {
        _client = client;
        _apiKey = apiKey;
    }

    /// <summary>Explains one loan's subsidy for [start_date, end_date): days, segments, rates, formula, exclusions, policy versions.</summary>
    public Task<SubsidyExplanation> ExplainSubsidyAsync(ExplainSubsidyRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ExplainSubsidyRequest, SubsidyExplanation>("/danbao.v1.SubsidyService/ExplainSubsidy", request, ct);

    /// <summary>A bank opens a DRAFT claim for the previous quarter (in the quarter's first month). Role: BANK.</summary>
    public Task<SubsidyClaim> CreateSubsidyClaimAsync(CreateSubsidyClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreateSubsidyClaimRequest, SubsidyClaim>("/danbao.v1.SubsidyService/CreateSubsidyClaim", request, ct);

    /// <summary>Adds up to 10,000 lines, each recomputed and flagged. Role: BANK.</summary>
    public Task<AddSubsidyClaimLinesResponse> AddSubsidyClaimLinesAsync(AddSubsidyClaimLinesRequest request, CancellationToken ct = default) =>
        _client.CallAsync<AddSubsidyClaimLinesRequest, AddSubsidyClaimLinesResponse>("/danbao.v1.SubsidyService/AddSubsidyClaimLines", request, ct);

    /// <summary>DRAFT → SUBMITTED. Role: BANK.</summary>
    public Task<SubsidyClaim> SubmitSubsidyClaimAsync(SubmitSubsidyClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<SubmitSubsidyClaimRequest, SubsidyClaim>("/danbao.v1.SubsidyService/SubmitSubsidyClaim", request, ct);

    /// <summary>A claim the caller may see (a bank its own; the finance bureau its region's).</summary>
    public Task<SubsidyClaim> GetSubsidyClaimAsync(GetSubsidyClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetSubsidyClaimRequest, SubsidyClaim>("/danbao.v1.SubsidyService/GetSubsidyClaim", request, ct);

    /// <summary>Claims the caller may see, newest first.</summary>
    public Task<ListSubsidyClaimsResponse> ListSubsidyClaimsAsync(ListSubsidyClaimsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListSubsidyClaimsRequest, ListSubsidyClaimsResponse>("/danbao.v1.SubsidyService/ListSubsidyClaims", request, ct);

    /// <summary>A claim's lines with their flags and decisions, by loan id.</summary>
    public Task<ListSubsidyClaimLinesResponse> ListSubsidyClaimLinesAsync(ListSubsidyClaimLinesRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListSubsidyClaimLinesRequest, ListSubsidyClaimLinesResponse>("/danbao.v1.SubsidyService/ListSubsidyClaimLines", request, ct);

    /// <summary>Approve all or line by line, reject lines with a reason. Role: FINANCE_BUREAU.</summary>
    public Task<SubsidyClaim> ReviewSubsidyClaimAsync(ReviewSubsidyClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ReviewSubsidyClaimRequest, SubsidyClaim>("/danbao.v1.SubsidyService/ReviewSubsidyClaim", request, ct);

    /// <summary>One ledger payment (finance → bank) with a line per loan. Role: FINANCE_BUREAU.</summary>
    public Task<SubsidyClaim> SettleSubsidyClaimAsync(SettleSubsidyClaimRequest request, CancellationToken ct = default) =>
        _client.CallAsync<SettleSubsidyClaimRequest, SubsidyClaim>("/danbao.v1.SubsidyService/SettleSubsidyClaim", request, ct);

    /// <summary>Settled totals of a region's quarter by bank, district and formula version.</summary>
    public Task<SubsidySettlementReport> GetSubsidySettlementReportAsync(GetSubsidySettlementReportRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetSubsidySettlementReportRequest, SubsidySettlementReport>("/danbao.v1.SubsidyService/GetSubsidySettlementReport", request, ct);

    /// <summary>The settlement report's per-loan rows as CSV (the streamed chunks concatenated).</summary>
    public async Task<byte[]> ExportSubsidySettlementReportAsync(GetSubsidySettlementReportRequest request, CancellationToken ct = default)
    {
        using var call = _client.Grpc.ServerStreaming<GetSubsidySettlementReportRequest, CsvChunk>(
            "/danbao.v1.SubsidyService/ExportSubsidySettlementReport", request, new CallOptions { BearerToken = _apiKey, CancellationToken = ct });
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ReadAllAsync().WithCancellation(ct))
        {
            chunk.Data.WriteTo(buffer);
        }
        return buffer.ToArray();
    }

    /// <summary>The award cap and a default proposal (pro rata to new lending × score). Role: FINANCE_BUREAU.</summary>
    public Task<AwardProposal> ProposeAwardsAsync(ProposeAwardsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ProposeAwardsRequest, AwardProposal>("/danbao.v1.AwardService/ProposeAwards", request, ct);

    /// <summary>Approves and posts the awards; refused AWARD_ABOVE_CAP above the cap. Role: FINANCE_BUREAU.</summary>
    public Task<AwardAllocationSet> ApproveAwardsAsync(ApproveAwardsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ApproveAwardsRequest, AwardAllocationSet>("/danbao.v1.AwardService/ApproveAwards", request, ct);

    /// <summary>The approved awards of a region's year.</summary>
    public Task<AwardAllocationSet> GetAwardsAsync(GetAwardsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetAwardsRequest, AwardAllocationSet>("/danbao.v1.AwardService/GetAwards", request, ct);
}
