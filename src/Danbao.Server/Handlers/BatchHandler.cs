using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Awards;
using Danbao.Domain.Borrowers;
using Danbao.Domain.Calendar;
using Danbao.Domain.Compensation;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Interest;
using Danbao.Domain.Ledger;
using Danbao.Domain.Leverage;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Publicity;
using Danbao.Domain.Rates;
using Danbao.Domain.Results;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Text;
using Danbao.Domain.Time;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Reference;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using Npgsql;
using DomainLoan = Danbao.Domain.Loans.Loan;
using DomainLoanState = Danbao.Domain.Loans.LoanState;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.BatchService: the steps that depend only on the passing of business days, run for
/// an explicit date so operators and tests move time on purpose. Running a date twice changes
/// nothing the second time (each step is a no-op for a loan already in its target state).
/// </summary>
public sealed class BatchHandler(WriteRunner writes, ReferenceDataCache reference, TimeProvider clock) : BatchService.BatchServiceBase
{
    /// <summary>Bound on loans one run examines; the batch is re-run to continue past it.</summary>
    public const int LoansPerRunMax = 200_000;

    [Roles(Role.Admin, Role.FundOperator)]
    public override Task<RunBatchResponse> RunBatch(RunBatchRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var date = errors.NotAfterToday("business_date", request.BusinessDate, BusinessDates.Today(clock));
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var policy = await reference.GetAsync(scope.CancellationToken);
            var reply = new RunBatchResponse { BusinessDate = request.BusinessDate.Length > 0 ? request.BusinessDate : BusinessDates.Text(date) };
            // The loans the caller may see (AccessPolicy): an operator's region, an administrator's all.
            var region = AccessPolicy.ScopeOf(scope.Caller, byFund: false).RegionWithin;
            var candidates = await scope.Session.Loans.BatchCandidatesAsync(region, LoansPerRunMax);
            var repayments = await scope.Session.Loans.RepaymentsAsync(candidates);
            foreach (var id in candidates)
            {
                var record = (await scope.Session.Loans.FindAsync(id, true))!;
                var loan = DomainLoan.Rehydrate(record.Data);
                var before = loan.State;
                // Only what was paid by the end of the batch date counts for that date.
                var paid = repayments.TryGetValue(id, out var all) ? all.Where(r => r.PaidOn <= date) : [];
                var action = Step(loan, date, policy.Calendar, paid, reply);
                if (action is null)
                {
                    continue;
                }
                scope.Session.Loans.Update(loan.Data, record.Version, null, record.FailedRules, scope.Now,
                    () => RpcErrors.Aborted("CONCURRENT_UPDATE", $"{ResourceNames.Loan.Format(id)} was changed by another request; run the batch again"));
                await scope.AuditAsync("loan", id, action, before.ToCode(), loan.State.ToCode(), new { batch_date = reply.BusinessDate }, date);
            }
            return reply;
        }, claimWithLoad: true);
    }

    /// <summary>
    /// What the passing of <paramref name="date"/> does to one loan; null when nothing. Overdue marking only
    /// brings the cached state in line with the dates (<see cref="DomainLoan.SyncOverdue"/>): the figures
    /// never depend on whether or when the batch ran.
    /// </summary>
    private static string? Step(DomainLoan loan, DateOnly date, WorkingCalendar calendar, IEnumerable<RecordedRepayment> repayments, RunBatchResponse counts)
    {
        switch (loan.State)
        {
            case DomainLoanState.Publicity:
                // Publicity expiry: concluded once its last day has passed with no objection pending.
                if (loan.ConcludePublicity(ChinaStandardTime.StartOfDay(date), calendar).IsOk)
                {
                    counts.PublicitiesEnded++;
                    return "loan.publicity_concluded";
                }
                return null;
            case DomainLoanState.Current or DomainLoanState.Extended or DomainLoanState.Overdue:
                var sync = loan.SyncOverdue(date, repayments);
                if (!sync.StateChanged)
                {
                    return null;
                }
                if (sync.After == DomainLoanState.Overdue)
                {
                    counts.LoansMarkedOverdue++;
                    return "loan.marked_overdue";
                }
                counts.LoansBackToCurrent++;
                return "loan.cured";
            default:
                return null;
        }
    }
}
