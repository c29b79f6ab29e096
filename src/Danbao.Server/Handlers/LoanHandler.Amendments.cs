using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using DomainLoanEventKind = Danbao.Domain.Loans.LoanEventKind;
using ProtoLoan = Danbao.Contracts.V1.Loan;
using ProtoLoanEventKind = Danbao.Contracts.V1.LoanEventKind;
using ProtoLoanEventReport = Danbao.Contracts.V1.LoanEventReport;

namespace Danbao.Server.Handlers;

// Amendments of the terms before disbursement, and the bank's 10-working-day event reports (policy.md §4, §8).
public sealed partial class LoanHandler
{
    [Roles(Role.Bank)]
    public override Task<ProtoLoan> AmendLoanTerms(AmendLoanTermsRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var change = new TermsChange
        {
            ContractDate = request.HasContractDate ? errors.Date("contract_date", request.ContractDate) : null,
            Amount = request.HasAmountFen ? new Money(errors.PositiveFen("amount_fen", request.AmountFen)) : null,
            // An out-of-range rate is a field violation, not a Rate the domain would refuse to construct.
            ContractRate = request.HasContractRateBp && errors.Range("contract_rate_bp", request.ContractRateBp, 1, 2400) is var bp and >= 1 and <= 2400
                ? new Rate(bp)
                : null,
            HasCounterGuarantee = request.HasCounterGuarantee ? request.CounterGuarantee : null,
        };
        var reason = errors.Text("reason", request.Reason, required: false, lengthMax: 2000);
        if (!request.HasContractDate && !request.HasAmountFen && !request.HasContractRateBp && !request.HasCounterGuarantee)
        {
            errors.Add("contract_date", "nothing to amend: set at least one of contract_date, amount_fen, contract_rate_bp, counter_guarantee");
        }
        errors.ThrowIfAny();
        TermsAmendment? amendment = null;
        return ChangeAsync(context, request, "loan.terms_amended", async write =>
        {
            var (scope, record, loan, _, _) = write;
            if (change.ContractDate is { } signed)
            {
                CheckDate(record, LoanDateEvent.Contract, "contract_date", signed);
            }
            var policy = await reference.GetAsync(scope.CancellationToken);
            var guaranteed = loan.State == Domain.Loans.LoanState.Guaranteed;
            // Re-checked under the policy in force on the (new) contract date: caps, term, rate cap, counter-guarantee.
            var amended = loan.AmendTerms(change, policy.Resolver, policy.Lpr, TermsOf(record).PartnerCount);
            if (!amended.IsOk)
            {
                return amended.Refusal;
            }
            amendment = amended.Value;
            if (guaranteed && amendment.AmountDelta.IsPositive)
            {
                return new Refusal("GUARANTEE_AMOUNT_EXCEEDED",
                    $"the guarantee was issued for {amendment.Before.Amount}; a larger amount needs the guarantee rejected and issued again");
            }
            if (guaranteed && amendment.AmountDelta.IsNegative)
            {
                // A smaller loan needs less guarantee: the difference is released in the fund's ledger.
                Fund.GuaranteePostings.Release(scope, record, write.LedgerGuaranteed, -amendment.AmountDelta, Today(), record.Data.PolicyVersionIds);
            }
            return Unit.Value;
        }, auditDetail: () => new
        {
            before = TermsDetail(amendment!.Before),
            after = TermsDetail(amendment.After),
            reason,
            policy_versions = amendment.Versions.Select(v => v.Id).Distinct().ToArray(),
        });
    }

    [Roles(Role.Bank)]
    public override Task<ProtoLoanEventReport> ReportLoanEvent(ReportLoanEventRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var kind = errors.Enum("kind", request.Kind);
        var eventDate = errors.Date("event_date", request.EventDate);
        var reportedOn = errors.Date("reported_date", request.ReportedDate, required: false) ?? Today();
        var note = errors.Text("note", request.Note, required: false, lengthMax: 2000);
        errors.ThrowIfAny();
        var id = LoanAccess.IdOf(request.Name);
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var record = LoanAccess.Visible(scope.Caller,
                await scope.Session.Loans.FindAsync(id, false), request.Name);
            if (record.Data.DisbursementDate is null)
            {
                throw RpcErrors.FailedPrecondition("NOT_DISBURSED", $"{request.Name} was never disbursed: there is no loan event to report");
            }
            var today = Today();
            LoanDateChecks.ThrowIfAny([
                .. LoanDates.Check(LoanDateEvent.ReportedEvent, "event_date", eventDate!.Value, LoanDateFacts.Of(record.Data, record.ApplicationDate), today),
                .. LoanDates.CheckReport("reported_date", reportedOn, eventDate.Value, today),
            ]);
            var policy = await reference.GetAsync(scope.CancellationToken);
            // The deadline: 10 working days on the official calendar, under the policy in force on the event date.
            var filed = Domain.Loans.LoanEventReport.File(ToDomain(kind), eventDate.Value, reportedOn,
                policy.Resolver.At(record.Data.Region, eventDate.Value), policy.Calendar);
            if (!filed.IsOk)
            {
                throw filed.Refusal.ToRpc();
            }
            var report = filed.Value;
            var saved = await scope.Session.LoanEvents.InsertAsync(new LoanEventReportRecord
            {
                LoanId = id,
                BankId = record.BankId,
                RegionCode = record.Data.Region.Value,
                Kind = report.Kind,
                EventDate = report.EventDate,
                ReportedDate = report.ReportedOn,
                DeadlineDate = report.Deadline,
                Late = report.IsLate,
                DaysLate = report.DaysLate,
                Note = note,
                PolicyVersionIds = report.Versions.Select(v => v.Id).Distinct().ToList(),
            }, scope.RequestId, scope.Now);
            var state = record.Data.State.ToCode();
            await scope.AuditAsync(SubjectType, id, "loan.event_reported", state, state, new
            {
                kind = report.Kind.ToCode(),
                event_date = LoanMapping.Date(report.EventDate),
                deadline_date = LoanMapping.Date(report.Deadline),
                late = report.IsLate,
                report = saved.Id,
            }, reportedOn);
            return ToProto(saved, policy.Resolver);
        }, claimWithLoad: true);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListLoanEventReportsResponse> ListLoanEventReports(ListLoanEventReportsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        long beforeId = 0;
        if (after.Length > 0 && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out beforeId))
        {
            throw RpcErrors.InvalidArgument("page_token is not a token this service issued", ("page_token", "pass back next_page_token unchanged"));
        }
        var scope = AccessPolicy.ScopeOf(caller, byFund: false);
        var filter = new LoanEventReportFilter
        {
            // A bank sees its own reports only; the fund operator and the bureaus those of their region.
            BankId = scope.BankId,
            RegionWithin = scope.RegionWithin,
            LoanId = request.Loan.Length > 0 ? LoanAccess.IdOf(request.Loan, "loan") : null,
            LateOnly = request.LateOnly,
        };
        var session = await reads.GetAsync(context.CancellationToken);
        var rows = await session.LoanEvents.ListAsync(filter, beforeId == 0 ? null : beforeId, size + 1);
        var policy = await reference.GetAsync(context.CancellationToken);
        var response = new ListLoanEventReportsResponse();
        response.Reports.AddRange(rows.Take(size).Select(r => ToProto(r, policy.Resolver)));
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Id.ToString(CultureInfo.InvariantCulture));
        }
        return response;
    }

    private static object TermsDetail(AmendableTerms t) => new
    {
        contract_date = LoanMapping.Date(t.ContractDate),
        amount_fen = t.Amount.Fen,
        contract_rate_bp = t.ContractRate.Bp,
        counter_guarantee = t.HasCounterGuarantee,
    };

    private static DomainLoanEventKind ToDomain(ProtoLoanEventKind kind) => kind switch
    {
        ProtoLoanEventKind.EarlySettlement => DomainLoanEventKind.EarlySettlement,
        ProtoLoanEventKind.LegalRepresentativeChange => DomainLoanEventKind.LegalRepresentativeChange,
        _ => DomainLoanEventKind.BusinessClosure,
    };

    private static ProtoLoanEventKind ToProto(DomainLoanEventKind kind) => kind switch
    {
        DomainLoanEventKind.EarlySettlement => ProtoLoanEventKind.EarlySettlement,
        DomainLoanEventKind.LegalRepresentativeChange => ProtoLoanEventKind.LegalRepresentativeChange,
        _ => ProtoLoanEventKind.BusinessClosure,
    };

    private static ProtoLoanEventReport ToProto(LoanEventReportRecord r, PolicyResolver policy)
    {
        var reply = new ProtoLoanEventReport
        {
            Name = $"loans/{r.LoanId}/eventReports/{r.Id.ToString(CultureInfo.InvariantCulture)}",
            Loan = LoanMapping.Name(r.LoanId),
            Bank = ResourceNames.Institution.Format(r.BankId),
            Region = r.RegionCode,
            Kind = ToProto(r.Kind),
            EventDate = LoanMapping.Date(r.EventDate),
            ReportedDate = LoanMapping.Date(r.ReportedDate),
            DeadlineDate = LoanMapping.Date(r.DeadlineDate),
            Late = r.Late,
            DaysLate = r.DaysLate,
            Note = r.Note,
            CreateTime = r.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var id in r.PolicyVersionIds)
        {
            if (policy.Find(id) is { } version)
            {
                reply.PolicyVersions.Add(LoanMappingRefs.Ref(version));
            }
        }
        return reply;
    }
}
