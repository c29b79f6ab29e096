using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Accounting;
using Danbao.Data.Fund;
using Danbao.Data.Sessions;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Leverage;
using Danbao.Domain.Policy;
using Danbao.Domain.Time;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Fund;
using Danbao.Server.Identity;
using Danbao.Server.Reference;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using Npgsql;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.FundService: the guarantee fund's ledger. Capital and the fund overview here; claims
/// (代偿, 追偿, 呆账核销) in FundHandler.Claims.cs; reconciliation in FundHandler.Reconciliation.cs.
/// Every money movement is a balanced ledger transaction posted in the request's one transaction.
/// </summary>
public sealed partial class FundHandler(Database database, ReadSession reads, WriteRunner writes, ReferenceDataCache reference, TimeProvider clock,
    StatementLimits statementLimits) : FundService.FundServiceBase
{
    /// <summary>Most a single capital contribution may be: 100亿元.</summary>
    public const long ContributionFenMax = 1_000_000_000_000;

    [Roles(Role.FinanceBureau)]
    public override async Task<CapitalContribution> ContributeCapital(ContributeCapitalRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var amount = errors.PositiveFen("amount_fen", request.AmountFen, ContributionFenMax);
        var on = BusinessDate(errors, "contribution_date", request.ContributionDate);
        if (request.FundingSource is not (FundingSource.Unspecified or FundingSource.FinanceCapital))
        {
            errors.Add("funding_source", "the guarantee fund is funded by finance capital only (never unemployment insurance)");
        }
        errors.Text("reference", request.Reference, required: false, lengthMax: 200);
        errors.ThrowIfAny();
        var fund = await VisibleFundAsync(context.Caller(), request.Fund, "fund", context.CancellationToken);
        return await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var session = scope.Session;
            var finance = scope.Caller.InstitutionId;
            // No round trip once this process knows the accounts.
            await FundAccounts.OpenFundAsync(session.Ledger, fund.Id);
            await FundAccounts.OpenFinanceAsync(session.Ledger, finance);
            // One batch with the request id's claim: the fund's row lock, the posting, the balance after it.
            session.Enqueue(session.Funds.LockFund(fund.Id, fund.Region));
            session.Funds.MarkCapitalised(fund.Id);
            var posted = session.Enqueue(session.Ledger.Posted(new LedgerTransactionRequest
            {
                Kind = "capital_contribution",
                CauseType = "fund",
                CauseId = fund.Id,
                RequestId = scope.RequestId,
                FundingSource = GuaranteePostings.FundingSource,
                BusinessDate = on,
                Postings =
                [
                    LedgerPosting.Debit(FundAccounts.Cash(fund.Id), amount),
                    LedgerPosting.Credit(FundAccounts.Capital(fund.Id), amount),
                    LedgerPosting.Debit(FundAccounts.FinanceContributions(finance), amount),
                    LedgerPosting.Credit(FundAccounts.FinanceAppropriations(finance), amount),
                ],
            }));
            var balance = await session.ReadAsync(session.Funds.BalanceOrZero(FundAccounts.Cash(fund.Id)));
            var id = posted.Value;
            await scope.AuditAsync("fund", fund.Id, "fund.capital_contributed", null, null,
                new { amount_fen = amount, ledger_transaction_id = id, reference = request.Reference }, on);
            return new CapitalContribution
            {
                Fund = ResourceNames.Institution.Format(fund.Id),
                FinanceBureau = ResourceNames.Institution.Format(finance),
                AmountFen = amount,
                ContributionDate = Date(on),
                LedgerTransactionId = id,
                FundBalanceFen = balance,
            };
        }, claimWithLoad: true);
    }

    [Roles(Role.FundOperator, Role.FinanceBureau, Role.Admin)]
    public override async Task<FundOverview> GetFundOverview(GetFundOverviewRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var fund = await VisibleFundAsync(context.Caller(), request.Fund, "fund", ct);
        var today = Today();
        var policy = await reference.GetAsync(ct);
        var snapshot = policy.Resolver.At(new RegionCode(fund.Region), today);
        var k = snapshot.LeverageMultipleMax;
        var session = await reads.GetAsync(ct);
        var funds = session.Funds;
        // The balances, the pipeline and the movements in one round trip.
        var capitalBalance = session.Enqueue(funds.BalanceOrZero(FundAccounts.Capital(fund.Id)));
        var pipelineQuery = session.Enqueue(funds.Pipeline(fund.Id));
        var recoverableQuery = session.Enqueue(funds.MovementsByKind(FundAccounts.FundRecoverable(fund.Id), null, DateOnly.MaxValue));
        var guaranteesQuery = session.Enqueue(funds.MovementsByKind(FundAccounts.GuaranteesOutstanding(fund.Id), null, DateOnly.MaxValue));
        var (balance, outstanding, capital) = await session.ReadAsync(funds.BalanceOrZero(FundAccounts.Cash(fund.Id)),
            funds.BalanceOrZero(FundAccounts.GuaranteesOutstanding(fund.Id)),
            funds.MovementsByKind(FundAccounts.Capital(fund.Id), null, DateOnly.MaxValue));
        var (pipeline, pipelineBase) = pipelineQuery.Value;
        var (recoverable, guarantees) = (recoverableQuery.Value, guaranteesQuery.Value);
        var limit = LeverageCheck.Limit(new Money(balance), k).Fen;
        var paid = recoverable.GetValueOrDefault(ClaimPostings.CompensationKind).DebitsFen;
        // Recoveries after write-off (账销案存) restore capital rather than the recoverable.
        var recovered = recoverable.GetValueOrDefault(ClaimPostings.RecoveryKind).CreditsFen
            + capital.GetValueOrDefault(ClaimPostings.RecoveryAfterWriteOffKind).CreditsFen;
        var issued = guarantees.GetValueOrDefault(GuaranteePostings.IssuedKind).CreditsFen;
        var overview = new FundOverview
        {
            Fund = ResourceNames.Institution.Format(fund.Id),
            BalanceFen = balance,
            CapitalFen = capitalBalance.Value,
            OutstandingGuaranteesFen = outstanding,
            LeverageMultipleMax = k,
            LeverageLimitFen = limit,
            LeverageInUseBp = limit > 0 ? (int)Math.Min(int.MaxValue, (decimal)outstanding * 10_000 / limit) : (outstanding > 0 ? int.MaxValue : 0),
            HeadroomFen = limit - outstanding,
            ClaimsInPipeline = pipeline,
            ClaimsInPipelineBaseFen = pipelineBase,
            CompensationPaidFen = paid,
            RecoveredFen = recovered,
            WrittenOffFen = recoverable.GetValueOrDefault(ClaimPostings.WriteOffKind).CreditsFen,
            GuaranteesIssuedFen = issued,
            LossRateBp = issued > 0 ? (int)((decimal)(paid - recovered) * 10_000 / issued) : 0,
        };
        overview.PolicyVersions.AddRange(snapshot.Used.Select(Loans.LoanMappingRefs.Ref));
        return overview;
    }

    /// <summary>An institution as the fund service sees it.</summary>
    private sealed record InstitutionRef(string Id, string Role, string Region);

    /// <summary>
    /// The fund a request names: a fund operator only its own (empty = own); the finance bureau and
    /// an administrator a fund operator of their region. NOT_FOUND otherwise, so nothing leaks.
    /// </summary>
    private async Task<InstitutionRef> VisibleFundAsync(Identity.Caller caller, string name, string field, CancellationToken ct)
    {
        var id = name.Length == 0 && caller.Role == Role.FundOperator ? caller.InstitutionId : ResourceNames.Institution.Parse(name, field);
        var found = await FindInstitutionAsync(id, ct);
        var visible = found is { Role: "FUND_OPERATOR" } && AccessPolicy.CanSeeFund(caller, found.Id, found.Region);
        return visible ? found! : throw RpcErrors.NotFound(ResourceNames.Institution.Type, ResourceNames.Institution.Format(id), $"institutions/{id} is not a guarantee fund visible to {caller.InstitutionId}");
    }

    /// <summary>The bank a request names: a bank only itself (empty = itself); others a bank of their region.</summary>
    private async Task<InstitutionRef> VisibleBankAsync(Identity.Caller caller, string name, string field, CancellationToken ct)
    {
        var id = name.Length == 0 && caller.Role == Role.Bank ? caller.InstitutionId : ResourceNames.Institution.Parse(name, field);
        var found = await FindInstitutionAsync(id, ct);
        var visible = found is { Role: "BANK" } && AccessPolicy.CanSeeBank(caller, found.Id, found.Region);
        return visible ? found! : throw RpcErrors.NotFound(ResourceNames.Institution.Type, ResourceNames.Institution.Format(id), $"institutions/{id} is not a bank visible to {caller.InstitutionId}");
    }

    private async Task<InstitutionRef?> FindInstitutionAsync(string id, CancellationToken ct)
    {
        var session = await reads.GetAsync(ct);
        return await session.Identity.FindInstitutionAsync(id) is { } found
            ? new InstitutionRef(found.Id, found.Role, found.RegionCode)
            : null;
    }

    private DateOnly Today() => BusinessDates.Today(clock);

    /// <summary>A business date from a request: today (CST) when empty, never in the future.</summary>
    private DateOnly BusinessDate(FieldErrors errors, string field, string value) => errors.NotAfterToday(field, value, Today());

    private static string Date(DateOnly? date) => Loans.LoanMapping.Date(date);
}
