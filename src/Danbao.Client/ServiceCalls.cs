using Danbao.Contracts.V1;

namespace Danbao.Client;

/// <summary>The rpcs of danbao.v1.LoanService.</summary>
public sealed class LoanCalls
{
    private readonly DanbaoClient _client;

    internal LoanCalls(DanbaoClient client) => _client = client;

    /// <summary>A handling bank (经办银行) submits an application for a borrower. Role: BANK.</summary>
    public Task<Loan> CreateLoanAsync(CreateLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreateLoanRequest, Loan>("/danbao.v1.LoanService/CreateLoan", request, ct);

    /// <summary>Any role that may see the loan. A bank sees only its own loans.</summary>
    public Task<Loan> GetLoanAsync(GetLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetLoanRequest, Loan>("/danbao.v1.LoanService/GetLoan", request, ct);

    /// <summary>Lists loans visible to the caller, newest first, filtered and paged.</summary>
    public Task<ListLoansResponse> ListLoansAsync(ListLoansRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListLoansRequest, ListLoansResponse>("/danbao.v1.LoanService/ListLoans", request, ct);

    /// <summary>The employment service reviews eligibility; if eligible, publicity (公示) starts. Role: EMPLOYMENT_SERVICE.</summary>
    public Task<Loan> ReviewEligibilityAsync(ReviewEligibilityRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ReviewEligibilityRequest, Loan>("/danbao.v1.LoanService/ReviewEligibility", request, ct);

    /// <summary>Anyone with the role may lodge an objection (异议) during publicity; it suspends publicity.</summary>
    public Task<Loan> LodgeObjectionAsync(LodgeObjectionRequest request, CancellationToken ct = default) =>
        _client.CallAsync<LodgeObjectionRequest, Loan>("/danbao.v1.LoanService/LodgeObjection", request, ct);

    /// <summary>The employment service resolves an objection: upheld → REJECTED; dismissed → publicity resumes.</summary>
    public Task<Loan> ResolveObjectionAsync(ResolveObjectionRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ResolveObjectionRequest, Loan>("/danbao.v1.LoanService/ResolveObjection", request, ct);

    /// <summary>Concludes publicity once its last day has passed (FAILED_PRECONDITION PUBLICITY_NOT_ENDED before).</summary>
    public Task<Loan> ConcludePublicityAsync(ConcludePublicityRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ConcludePublicityRequest, Loan>("/danbao.v1.LoanService/ConcludePublicity", request, ct);

    /// <summary>The fund operator and the bank each record due diligence (尽职调查). Roles: FUND_OPERATOR, BANK.</summary>
    public Task<Loan> RecordDueDiligenceAsync(RecordDueDiligenceRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RecordDueDiligenceRequest, Loan>("/danbao.v1.LoanService/RecordDueDiligence", request, ct);

    /// <summary>The bank approves within the policy limits (amount cap, term, rate cap, counter-guarantee). Role: BANK.</summary>
    public Task<Loan> ApproveLoanAsync(ApproveLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ApproveLoanRequest, Loan>("/danbao.v1.LoanService/ApproveLoan", request, ct);

    /// <summary>The bank or a reviewer rejects, or the bank withdraws, while the loan is under review.</summary>
    public Task<Loan> RejectLoanAsync(RejectLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RejectLoanRequest, Loan>("/danbao.v1.LoanService/RejectLoan", request, ct);

    /// <summary>The fund operator issues the guarantee (refused if it would break the fund's leverage). Role: FUND_OPERATOR.</summary>
    public Task<Loan> IssueGuaranteeAsync(IssueGuaranteeRequest request, CancellationToken ct = default) =>
        _client.CallAsync<IssueGuaranteeRequest, Loan>("/danbao.v1.LoanService/IssueGuarantee", request, ct);

    /// <summary>The bank disburses; the repayment schedule is fixed from this date. Role: BANK.</summary>
    public Task<Loan> DisburseLoanAsync(DisburseLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<DisburseLoanRequest, Loan>("/danbao.v1.LoanService/DisburseLoan", request, ct);

    /// <summary>The bank records a repayment: split into interest first, then principal. Role: BANK.</summary>
    public Task<RecordRepaymentResponse> RecordRepaymentAsync(RecordRepaymentRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RecordRepaymentRequest, RecordRepaymentResponse>("/danbao.v1.LoanService/RecordRepayment", request, ct);

    /// <summary>The bank extends the loan once (展期), by at most the policy's months. Role: BANK.</summary>
    public Task<Loan> ExtendLoanAsync(ExtendLoanRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ExtendLoanRequest, Loan>("/danbao.v1.LoanService/ExtendLoan", request, ct);

    /// <summary>The repayment schedule, with what is due and paid per instalment.</summary>
    public Task<RepaymentSchedule> GetRepaymentScheduleAsync(GetRepaymentScheduleRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetRepaymentScheduleRequest, RepaymentSchedule>("/danbao.v1.LoanService/GetRepaymentSchedule", request, ct);

    /// <summary>The audit trail of one loan, oldest first.</summary>
    public Task<ListLoanEventsResponse> ListLoanEventsAsync(ListLoanEventsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListLoanEventsRequest, ListLoanEventsResponse>("/danbao.v1.LoanService/ListLoanEvents", request, ct);
}

/// <summary>The rpcs of danbao.v1.IdentityService.</summary>
public sealed class IdentityCalls
{
    private readonly DanbaoClient _client;

    internal IdentityCalls(DanbaoClient client) => _client = client;

    /// <summary>The caller's own identity, as the server sees it.</summary>
    public Task<Caller> WhoAmIAsync(WhoAmIRequest request, CancellationToken ct = default) =>
        _client.CallAsync<WhoAmIRequest, Caller>("/danbao.v1.IdentityService/WhoAmI", request, ct);

    /// <summary>Calls CreateInstitution.</summary>
    public Task<Institution> CreateInstitutionAsync(CreateInstitutionRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreateInstitutionRequest, Institution>("/danbao.v1.IdentityService/CreateInstitution", request, ct);

    /// <summary>Calls ListInstitutions.</summary>
    public Task<ListInstitutionsResponse> ListInstitutionsAsync(ListInstitutionsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListInstitutionsRequest, ListInstitutionsResponse>("/danbao.v1.IdentityService/ListInstitutions", request, ct);

    /// <summary>Creates a key; the secret is returned once and stored only as a hash.</summary>
    public Task<CreateApiKeyResponse> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreateApiKeyRequest, CreateApiKeyResponse>("/danbao.v1.IdentityService/CreateApiKey", request, ct);

    /// <summary>Calls ListApiKeys.</summary>
    public Task<ListApiKeysResponse> ListApiKeysAsync(ListApiKeysRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListApiKeysRequest, ListApiKeysResponse>("/danbao.v1.IdentityService/ListApiKeys", request, ct);

    /// <summary>Calls RevokeApiKey.</summary>
    public Task<ApiKey> RevokeApiKeyAsync(RevokeApiKeyRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RevokeApiKeyRequest, ApiKey>("/danbao.v1.IdentityService/RevokeApiKey", request, ct);

    /// <summary>Binds a client certificate to an institution: over mTLS it then authenticates as that institution.</summary>
    public Task<ClientCertificate> RegisterClientCertificateAsync(RegisterClientCertificateRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RegisterClientCertificateRequest, ClientCertificate>("/danbao.v1.IdentityService/RegisterClientCertificate", request, ct);
}

/// <summary>The rpcs of danbao.v1.PolicyService.</summary>
public sealed class PolicyCalls
{
    private readonly DanbaoClient _client;

    internal PolicyCalls(DanbaoClient client) => _client = client;

    /// <summary>Calls ListPolicyVersions.</summary>
    public Task<ListPolicyVersionsResponse> ListPolicyVersionsAsync(ListPolicyVersionsRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListPolicyVersionsRequest, ListPolicyVersionsResponse>("/danbao.v1.PolicyService/ListPolicyVersions", request, ct);

    /// <summary>Which value governs a parameter in a region on a date, and which version supplied it (§10).</summary>
    public Task<ResolvePolicyResponse> ResolvePolicyAsync(ResolvePolicyRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ResolvePolicyRequest, ResolvePolicyResponse>("/danbao.v1.PolicyService/ResolvePolicy", request, ct);

    /// <summary>Adds a new version. History is never rewritten: a change is a new version from a date.</summary>
    public Task<PolicyVersion> CreatePolicyVersionAsync(CreatePolicyVersionRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreatePolicyVersionRequest, PolicyVersion>("/danbao.v1.PolicyService/CreatePolicyVersion", request, ct);

    /// <summary>Calls ListLprRates.</summary>
    public Task<ListLprRatesResponse> ListLprRatesAsync(ListLprRatesRequest request, CancellationToken ct = default) =>
        _client.CallAsync<ListLprRatesRequest, ListLprRatesResponse>("/danbao.v1.PolicyService/ListLprRates", request, ct);

    /// <summary>The finance bureau publishes a new 1-year LPR from a date. Role: FINANCE_BUREAU.</summary>
    public Task<LprRate> CreateLprRateAsync(CreateLprRateRequest request, CancellationToken ct = default) =>
        _client.CallAsync<CreateLprRateRequest, LprRate>("/danbao.v1.PolicyService/CreateLprRate", request, ct);

    /// <summary>Loads the official working-day table for a year (放假 and 调休上班 days). Role: ADMIN.</summary>
    public Task<CalendarYear> LoadCalendarYearAsync(LoadCalendarYearRequest request, CancellationToken ct = default) =>
        _client.CallAsync<LoadCalendarYearRequest, CalendarYear>("/danbao.v1.PolicyService/LoadCalendarYear", request, ct);

    /// <summary>Calls GetCalendarYear.</summary>
    public Task<CalendarYear> GetCalendarYearAsync(GetCalendarYearRequest request, CancellationToken ct = default) =>
        _client.CallAsync<GetCalendarYearRequest, CalendarYear>("/danbao.v1.PolicyService/GetCalendarYear", request, ct);
}

/// <summary>The rpcs of danbao.v1.BatchService.</summary>
public sealed class BatchCalls
{
    private readonly DanbaoClient _client;

    internal BatchCalls(DanbaoClient client) => _client = client;

    /// <summary>Calls RunBatch.</summary>
    public Task<RunBatchResponse> RunBatchAsync(RunBatchRequest request, CancellationToken ct = default) =>
        _client.CallAsync<RunBatchRequest, RunBatchResponse>("/danbao.v1.BatchService/RunBatch", request, ct);
}
