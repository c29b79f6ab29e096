using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using ProtoLoan = Danbao.Contracts.V1.Loan;

namespace Danbao.Server.Handlers;

// Servicing: guarantee (担保), disbursement (放款), repayments, extension (展期), the schedule.
public sealed partial class LoanHandler
{
    [Roles(Role.FundOperator)]
    public override Task<ProtoLoan> IssueGuarantee(IssueGuaranteeRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "guarantee_date", request.GuaranteeDate);
        var caller = context.Caller();
        if (request.GuaranteeFund.Length > 0 && request.GuaranteeFund != ResourceNames.Institution.Format(caller.InstitutionId))
        {
            errors.Add("guarantee_fund", "a fund operator guarantees from its own fund: leave empty or name your institution");
        }
        var guarantor = GuarantorTypes.FromProto(request.GuarantorType) ?? Domain.Compensation.GuarantorType.GuaranteeFund;
        if (GuarantorTypes.FromProto(request.GuarantorType) is null)
        {
            errors.Add("guarantor_type", "GUARANTEE_FUND or GOVERNMENT_FINANCING_GUARANTOR (unspecified: GUARANTEE_FUND)");
        }
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.guaranteed", async write =>
        {
            var (scope, record, loan, _, _) = write;
            CheckDate(record, LoanDateEvent.Guarantee, "guarantee_date", on);
            var policy = await reference.GetAsync(scope.CancellationToken);
            // The guarantee-contract date governs the risk share (policy.md §10).
            var share = RiskShare.For(policy.Resolver.At(record.Data.Region, on), record.Data.HkMacauYouth, guarantor);
            if (!share.IsOk)
            {
                return share.Refusal;
            }
            var guaranteed = loan.Guarantee(on, share.Value);
            if (!guaranteed.IsOk)
            {
                return guaranteed;
            }
            // Leverage (放大倍数) under the fund's row lock, and the guarantee posted to the fund's ledger.
            return await Fund.GuaranteePostings.IssueAsync(scope, record, caller.InstitutionId, new RegionCode(caller.RegionCode), on,
                policy.Resolver, share.Value.Versions);
        }, guaranteeFundId: caller.InstitutionId, businessDate: on);
    }

    [Roles(Role.Bank)]
    public override Task<ProtoLoan> DisburseLoan(DisburseLoanRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "disbursement_date", request.DisbursementDate);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.disbursed", write =>
        {
            var (scope, record, loan, _, _) = write;
            CheckDate(record, LoanDateEvent.Disbursement, "disbursement_date", on);
            return Task.FromResult(loan.Disburse(on));
        }, businessDate: on);
    }

    [Roles(Role.Bank)]
    public override Task<RecordRepaymentResponse> RecordRepayment(RecordRepaymentRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var amount = errors.PositiveFen("amount_fen", request.AmountFen);
        var on = BusinessDate(errors, "paid_date", request.PaidDate);
        errors.ThrowIfAny();
        Allocation? allocation = null;
        // Repayments commute, so the etag is checked only when the bank sends one. They are the hot write, and lock
        // only their loan: grouped with others in one transaction (GroupCommit).
        return ChangeAsync(context, request, "loan.repayment_recorded", write =>
        {
            var (scope, record, loan, repayments, guaranteed) = write;
            CheckDate(record, LoanDateEvent.Repayment, "paid_date", on);
            var interestFrom = record.Data.InterestPaidToDate ?? on;
            var result = loan.RecordRepayment(on, new Money(amount));
            if (!result.IsOk)
            {
                return Task.FromResult<Result<Unit>>(result.Refusal);
            }
            allocation = result.Value;
            scope.Session.Loans.AddRepayment(record.Data.Id, on, new Money(amount), allocation.Interest, allocation.Principal, interestFrom, scope.RequestId);
            // Repaid principal is no longer guaranteed: release it in the fund's ledger (frees leverage capacity).
            Fund.GuaranteePostings.Release(scope, record, guaranteed, allocation.Principal, on, record.Data.PolicyVersionIds);
            // Overdue is a fact of the schedule and the repayments: the stored state (a cache) is brought in
            // line on the paid date, marking a missed instalment or curing on the day the arrears were paid.
            repayments.Add(new RecordedRepayment(on, allocation.Interest, allocation.Principal, interestFrom));
            loan.SyncOverdue(on, repayments);
            return Task.FromResult<Result<Unit>>(Unit.Value);
        }, etagRequired: false, failedRules: null, guaranteeFundId: null, businessDate: on, reply: loan => new RecordRepaymentResponse
        {
            Loan = loan,
            InterestFen = allocation!.Interest.Fen,
            PrincipalFen = allocation.Principal.Fen,
            Settled = loan.State == Contracts.V1.LoanState.Settled,
        }, grouped: true);
    }

    [Roles(Role.Bank)]
    public override Task<ProtoLoan> ExtendLoan(ExtendLoanRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        errors.Range("months", request.Months, 1, 120);
        var on = BusinessDate(errors, "business_date", request.BusinessDate);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.extended", async write =>
        {
            var (scope, record, loan, _, _) = write;
            CheckDate(record, LoanDateEvent.Extension, "business_date", on);
            var policy = await reference.GetAsync(scope.CancellationToken);
            return loan.Extend(on, request.Months, policy.Resolver.At(record.Data.Region, on));
        }, businessDate: on);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<Contracts.V1.RepaymentSchedule> GetRepaymentSchedule(GetRepaymentScheduleRequest request, ServerCallContext context)
    {
        var id = LoanAccess.IdOf(request.Name);
        var session = await reads.GetAsync(context.CancellationToken);
        var record = LoanAccess.Visible(context.Caller(), await session.Loans.FindAsync(id, false), request.Name);
        var d = record.Data;
        if (d.DisbursementDate is not { } disbursed)
        {
            throw RpcErrors.FailedPrecondition(ReasonCodes.IllegalTransition, $"{request.Name} is not disbursed yet: its schedule starts at disbursement");
        }
        var plan = Domain.Loans.RepaymentSchedule.Build(d.RepaymentMethod, d.Amount, d.ContractRate, disbursed, d.TermMonths + d.ExtensionMonths);
        var reply = new Contracts.V1.RepaymentSchedule { Loan = request.Name };
        var number = 0;
        foreach (var p in plan)
        {
            reply.Instalments.Add(new Instalment
            {
                Number = ++number,
                DueDate = LoanMapping.Date(p.DueDate),
                PeriodStartDate = LoanMapping.Date(p.InterestPeriod.Start),
                PeriodEndDate = LoanMapping.Date(p.InterestPeriod.End),
                PrincipalDueFen = p.Principal.Fen,
                InterestDueFen = p.Interest.Fen,
            });
        }
        reply.TotalPrincipalFen = plan.Sum(p => p.Principal.Fen);
        reply.TotalInterestFen = plan.Sum(p => p.Interest.Fen);
        return reply;
    }
}
