using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Danbao.Data.Policy;
using Danbao.Domain;
using Danbao.Domain.Borrowers;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Publicity;
using Danbao.Domain.Time;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Validation;
using Npgsql;
using DomainBorrowerType = Danbao.Domain.Eligibility.BorrowerType;
using ProtoLoan = Danbao.Contracts.V1.Loan;

namespace Danbao.Server.Handlers;

// Review: eligibility (资格审核), publicity (公示) and objections (异议), due diligence (尽职调查), approval.
public sealed partial class LoanHandler
{
    [Roles(Role.EmploymentService)]
    public override Task<ProtoLoan> ReviewEligibility(ReviewEligibilityRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var start = BusinessDate(errors, "publicity_start_date", request.PublicityStartDate);
        if (request.Reject)
        {
            errors.Text("reason", request.Reason, lengthMax: 500);
        }
        errors.ThrowIfAny();
        IReadOnlyList<string> failed = [];
        return ChangeAsync(context, request, "loan.eligibility_reviewed", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var started = loan.StartEligibilityReview();
            if (!started.IsOk)
            {
                return started;
            }
            var policy = await reference.GetAsync(scope.CancellationToken);
            var (assessment, hkMacauYouth) = await AssessAsync(scope, record, policy);
            failed = assessment.Refusals.Select(r => r.Code).Distinct().ToList();
            if (!assessment.IsOk)
            {
                // Ineligible: rejected, naming every rule that failed.
                var first = assessment.Refusals[0];
                return loan.Reject(first with { Message = string.Join("; ", assessment.Refusals.Select(r => $"{r.Code}: {r.Message}")) });
            }
            if (request.Reject)
            {
                return loan.Reject(new Refusal(ReasonCodes.RejectedByReviewer, request.Reason.Trim()));
            }
            var window = PublicityWindow.Open(start, policy.Resolver, record.Data.Region, policy.Calendar);
            return window.IsOk ? loan.OpenPublicity(window.Value, hkMacauYouth, assessment.Versions) : window.Refusal;
        }, failedRules: _ => failed, businessDate: start);
    }

    [Roles(Role.EmploymentService)]
    public override Task<ProtoLoan> LodgeObjection(LodgeObjectionRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var text = errors.Text("objection", request.Objection, lengthMax: 2000);
        var lodged = BusinessDate(errors, "lodged_date", request.LodgedDate);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.objection_lodged", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var policy = await reference.GetAsync(scope.CancellationToken);
            var result = loan.LodgeObjection(lodged, policy.Calendar);
            if (result.IsOk)
            {
                scope.Session.Loans.AddObjection(record.Data.Id, scope.Caller.InstitutionId, lodged, text);
            }
            return result;
        }, businessDate: lodged);
    }

    [Roles(Role.EmploymentService)]
    public override Task<ProtoLoan> ResolveObjection(ResolveObjectionRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var resolution = errors.Text("resolution", request.Resolution, lengthMax: 2000);
        var resolved = BusinessDate(errors, "resolved_date", request.ResolvedDate);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, request.Upheld ? "loan.objection_upheld" : "loan.objection_dismissed", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var policy = await reference.GetAsync(scope.CancellationToken);
            var result = request.Upheld ? loan.UpholdObjection(resolution) : loan.DismissObjection(resolved, policy.Calendar);
            if (result.IsOk)
            {
                scope.Session.Loans.ResolveObjection(record.Data.Id, resolved, request.Upheld, resolution);
            }
            return result;
        }, businessDate: resolved);
    }

    [Roles(Role.EmploymentService)]
    public override Task<ProtoLoan> ConcludePublicity(ConcludePublicityRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "business_date", request.BusinessDate);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.publicity_concluded", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var policy = await reference.GetAsync(scope.CancellationToken);
            return loan.ConcludePublicity(InstantOf(on, scope.Now), policy.Calendar);
        }, businessDate: on);
    }

    [Roles(Role.FundOperator, Role.Bank)]
    public override Task<ProtoLoan> RecordDueDiligence(RecordDueDiligenceRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var note = errors.Text("note", request.Note, required: !request.Passed, lengthMax: 2000);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, request.Passed ? "loan.due_diligence_passed" : "loan.due_diligence_failed", write =>
        {
            var (scope, record, loan, _, _) = write;
            var byBank = scope.Caller.Role == Role.Bank;
            var result = request.Passed
                ? loan.RecordDueDiligence(bank: byBank, fund: !byBank)
                : loan.Reject(new Refusal(ReasonCodes.DueDiligenceFailed, $"{(byBank ? "bank" : "fund operator")}: {note}"));
            return Task.FromResult(result);
        });
    }

    [Roles(Role.Bank)]
    public override Task<ProtoLoan> ApproveLoan(ApproveLoanRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        errors.ThrowIfAny();
        return ChangeAsync(context, request, "loan.approved", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var policy = await reference.GetAsync(scope.CancellationToken);
            var approval = LoanApproval.Check(TermsOf(record), policy.Resolver, policy.Lpr);
            return loan.Approve(approval);
        });
    }

    [Roles(Role.Bank, Role.EmploymentService, Role.FundOperator)]
    public override Task<ProtoLoan> RejectLoan(RejectLoanRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var reason = errors.Text("reason", request.Reason, lengthMax: 2000);
        if (request.Withdraw && context.Caller().Role != Role.Bank)
        {
            errors.Add("withdraw", "only the bank withdraws an application");
        }
        errors.ThrowIfAny();
        return ChangeAsync(context, request, request.Withdraw ? "loan.withdrawn" : "loan.rejected", async write =>
        {
            var (scope, record, loan, _, _) = write;
            var wasGuaranteed = loan.State == Domain.Loans.LoanState.Guaranteed;
            var result = request.Withdraw ? loan.Withdraw() : loan.Reject(new Refusal(ReasonCodes.RejectedByReviewer, reason));
            if (result.IsOk && wasGuaranteed)
            {
                // A guarantee for a loan that will never be disbursed is released in the same transaction.
                Fund.GuaranteePostings.Release(scope, record, write.LedgerGuaranteed, record.Data.Amount, ChinaStandardTime.BusinessDate(scope.Now), record.Data.PolicyVersionIds);
            }
            return result;
        });
    }

    /// <summary>The loan's terms as the approval rules read them.</summary>
    private static LoanTerms TermsOf(LoanRecord record)
    {
        var d = record.Data;
        var borrower = LoanMapping.ParseStoredBorrower(record.BorrowerJson);
        return new LoanTerms
        {
            BorrowerType = d.BorrowerType,
            Region = d.Region,
            Amount = d.Amount,
            TermMonths = d.TermMonths,
            ContractRate = d.ContractRate,
            ContractDate = d.ContractDate,
            HasCounterGuarantee = d.CounterGuarantee,
            PartnerCount = d.BorrowerType == DomainBorrowerType.Partnership ? borrower.Partners.Count + 1 : 0,
        };
    }

    /// <summary>
    /// Eligibility of the borrower on the application date, with what the service knows of their other
    /// loans: lifetime count, live loans, and the good-payer rule for the borrower, every partner, and
    /// the enterprise's credit code (one live loan per code).
    /// </summary>
    private async Task<(Assessment Assessment, bool HkMacauYouth)> AssessAsync(WriteScope scope, LoanRecord record, PolicyReferenceData policy)
    {
        var loans = scope.Session.Loans;
        var d = record.Data;
        var borrower = LoanMapping.ParseStoredBorrower(record.BorrowerJson);
        var counts = await loans.CountPersonLoansAsync(record.IdNumberIndex, d.Id);
        var priorLoans = await loans.PriorLoansOfPersonAsync(record.IdNumberIndex, d.Id);
        if (d.BorrowerType == DomainBorrowerType.Enterprise)
        {
            var creditCode = record.CreditCode ?? borrower.Enterprise.CreditCode.Trim().ToUpperInvariant();
            var codeLoans = await loans.LoansOfCreditCodeAsync(creditCode, d.Id);
            var applicant = new EnterpriseApplicant
            {
                RegisteredRegion = borrower.Enterprise.RegisteredInGuangdong ? RegionCode.Guangdong : RegionCode.National,
                StaffCount = borrower.Enterprise.StaffCount,
                KeyGroupHiresLast12Months = borrower.Enterprise.KeyGroupHires,
                HasWageOrSocialInsuranceArrears = borrower.Enterprise.WageOrInsuranceArrears,
                AnnualRevenue = borrower.Enterprise.AnnualRevenueFen > 0 ? new Money(borrower.Enterprise.AnnualRevenueFen) : null,
                ActiveLoansForCreditCode = codeLoans.Count(p => p.Outcome == PriorLoanOutcome.Active),
                // The representative's own defaults count against the enterprise too.
                PriorLoans = [.. codeLoans, .. priorLoans.Where(p => p.Defaulted)],
            };
            var assessment = EnterpriseEligibility.Assess(applicant, d.Region, record.ApplicationDate, policy.Resolver);
            if (counts.LiveIndividual > 0)
            {
                assessment = assessment with
                {
                    Refusals = [.. assessment.Refusals, new Refusal(ReasonCodes.IndividualAndEnterpriseLoan,
                        "the enterprise's representative has an individual guarantee loan outstanding")],
                };
            }
            return (assessment, false);
        }
        var principalId = LoanApplication.StoredDocument(borrower.Person, vault.Decrypt(record.IdNumberCipher));
        var founder = LoanApplication.Applicant(borrower.Person, principalId, d.Region,
            borrower.PriorSubsidisedLoans + counts.SubsidisedLifetime, counts.LiveEnterprise > 0, borrower.HasOtherNonexemptLoans, priorLoans);
        if (d.BorrowerType != DomainBorrowerType.Partnership)
        {
            var result = IndividualEligibility.Assess(founder, record.ApplicationDate, policy.Resolver);
            return (result.Assessment, result.HkMacauYouth);
        }
        // A partnership is an individual founders' loan: every partner is judged as an individual, with their own history.
        var partnerHistories = await loans.PriorLoansOfPartnersAsync(d.Id);
        var partners = borrower.Partners.Select((partner, i) => new IndividualApplicant
        {
            BirthDate = LoanApplication.BirthDateOf(partner, null) ?? record.ApplicationDate,
            Gender = LoanApplication.GenderOf(partner, null) ?? Domain.Borrowers.Gender.Male,
            ProjectRegion = d.Region,
            KeyGroups = partner.KeyGroup == Contracts.V1.KeyGroup.Unspecified
                ? new HashSet<Domain.Borrowers.KeyGroup>()
                : new HashSet<Domain.Borrowers.KeyGroup> { (Domain.Borrowers.KeyGroup)((int)partner.KeyGroup - 1) },
            PriorLoans = partnerHistories.TryGetValue(i + 1, out var history) ? history : [],
        }).ToList();
        var partnership = PartnershipEligibility.Assess(founder, partners, record.ApplicationDate, policy.Resolver);
        return (partnership.Assessment, partnership.HkMacauYouth);
    }

    /// <summary>A business date from a request: today (CST, injected clock) when empty, never after today (<see cref="BusinessDates"/>).</summary>
    private DateOnly BusinessDate(FieldErrors errors, string field, string value) => errors.NotAfterToday(field, value, Today());

    /// <summary>The instant a step on <paramref name="businessDate"/> happens: now if it is today, else the start of that day.</summary>
    private static DateTimeOffset InstantOf(DateOnly businessDate, DateTimeOffset now) =>
        businessDate == ChinaStandardTime.BusinessDate(now) ? now : ChinaStandardTime.StartOfDay(businessDate);
}
