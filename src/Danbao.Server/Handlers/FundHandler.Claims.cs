using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Danbao.Data.Loans;
using Danbao.Data.Policy;
using Danbao.Data.Sessions;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Fund;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using DomainLoan = Danbao.Domain.Loans.Loan;

namespace Danbao.Server.Handlers;

// Compensation claims (代偿): filing, consents, approval or rejection, recoveries (追偿), write-off
// (呆账核销) and recoveries after it (账销案存). Each RPC reads validate → load → the
// CompensationClaim aggregate decides → persist (claim, consent/recovery, posting, loan) → reply.
// The split is the share STORED with the guarantee (loans.fund_risk_share_bp), never resolved again.
public sealed partial class FundHandler
{
    private const string ClaimSubject = "claim";

    [Roles(Role.Bank)]
    public override async Task<Claim> FileClaim(FileClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "claim_date", request.ClaimDate);
        errors.ThrowIfAny();
        var loanId = LoanAccess.IdOf(request.Loan, "loan");
        return await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var session = scope.Session;
            // The load: the request id's claim, the loan (locked) and its repayments, in one round trip.
            var (found, repayments) = await session.ReadAsync(session.Loans.Find(loanId, true), session.Loans.Repayments(loanId));
            var record = LoanAccess.Visible(scope.Caller, found, request.Loan);
            if (record.GuaranteeFundId is not { } fundId || record.Data.GuaranteeDate is null || record.Data.FundRiskShare is not { } storedShare)
            {
                throw RpcErrors.FailedPrecondition("NOT_GUARANTEED", $"{request.Loan} has no guarantee to claim under");
            }
            var policy = await reference.GetAsync(scope.CancellationToken);
            var onClaimDate = policy.Resolver.At(record.Data.Region, on);
            var loan = DomainLoan.Rehydrate(record.Data);
            var before = loan.State;
            var interest = loan.InterestDueOn(on);
            // Overdue from the schedule and the repayments, not from whether a batch marked the loan.
            Refuse(loan.FileClaim(on, onClaimDate, repayments));
            // The share decided at the guarantee, with the versions that decided it, read back.
            var shareVersionIds = record.Data.PolicyVersionIds
                .Where(id => policy.Versions.Any(v => v.Id == id && v.Key.StartsWith("RISK_SHARE_", StringComparison.Ordinal))).ToArray();
            var filed = Check(CompensationClaim.File(new ClaimFiling
            {
                ClaimId = ResourceIds.Claim(scope.Now),
                LoanId = record.Data.Id,
                BankId = record.BankId,
                FundId = fundId,
                Region = record.Data.Region,
                ClaimDate = on,
                OverdueSince = loan.OverdueAsOf(on, repayments).OverdueSince!.Value,
                OutstandingPrincipal = record.Data.OutstandingPrincipal,
                UnpaidNormalInterest = interest,
                Share = new StoredRiskShare(storedShare, record.Data.Guarantor, shareVersionIds),
            }, onClaimDate));
            var claim = filed.Data;
            // The effects, queued: they go as one batch before COMMIT.
            session.Claims.Insert(claim, () => RpcErrors.FailedPrecondition("CLAIM_EXISTS", $"{request.Loan} already has a compensation claim filed or paid"));
            await SaveLoanAsync(scope, record, loan, before, "loan.claim_filed", on);
            await scope.AuditAsync(ClaimSubject, claim.Id, "claim.filed", null, claim.State.ToCode(),
                new
                {
                    loan = claim.LoanId, base_fen = claim.Base.Fen, fund_share_bp = claim.FundShare.Bp, fund_fen = claim.FundPays.Fen,
                    bank_fen = claim.BankBears.Fen, filed_late = claim.FiledLate, policy_versions = claim.PolicyVersionIds,
                }, on);
            return ToProto(new StoredClaim(claim, 1), policy);
        }, claimWithLoad: true);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<Claim> GetClaim(GetClaimRequest request, ServerCallContext context)
    {
        var id = ClaimId(request.Name);
        var ct = context.CancellationToken;
        StoredClaim? stored;
                {
            var session = await reads.GetAsync(ct);
            stored = await session.Claims.FindAsync(id, false);
        }
        var claim = VisibleClaim(context.Caller(), stored, request.Name);
        return ToProto(claim, await reference.GetAsync(ct));
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListClaimsResponse> ListClaims(ListClaimsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        CompensationClaimState? state = request.State switch
        {
            ClaimState.Unspecified => null,
            ClaimState.ClaimFiled => CompensationClaimState.Filed,
            ClaimState.ClaimApproved => CompensationClaimState.Approved,
            ClaimState.ClaimRejected => CompensationClaimState.Rejected,
            ClaimState.ClaimWrittenOff => CompensationClaimState.WrittenOff,
            _ => throw RpcErrors.InvalidArgument("state is not a claim state", ("state", "a ClaimState value")),
        };
        var ct = context.CancellationToken;
        // A bank lists only its own claims, a fund operator its fund's, regional bodies their region's.
        var visible = AccessPolicy.ScopeOf(caller, byFund: true);
        var filter = new ClaimFilter(visible.BankId, visible.FundId, visible.RegionWithin, state);
        List<StoredClaim> rows;
                {
            var session = await reads.GetAsync(ct);
            // One statement for the page: consents and recoveries come with each row.
            rows = await session.Claims.ListAsync(filter, after.Length > 0 ? after : null, size + 1);
        }
        var policy = await reference.GetAsync(ct);
        var response = new ListClaimsResponse();
        response.Claims.AddRange(rows.Take(size).Select(row => ToProto(row, policy)));
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Data.Id);
        }
        return response;
    }

    [Roles(Role.EmploymentService, Role.FinanceBureau, Role.FundOperator)]
    public override async Task<Claim> RecordClaimConsent(RecordClaimConsentRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var reference = errors.Text("reference", request.Reference, lengthMax: 200);
        var on = BusinessDate(errors, "consent_date", request.ConsentDate);
        ClaimConsentStage? stage = request.Stage switch
        {
            ConsentStage.ConsentCompensation => ClaimConsentStage.Compensation,
            ConsentStage.ConsentWriteOff => ClaimConsentStage.WriteOff,
            _ => null,
        };
        if (stage is null)
        {
            errors.Add("stage", "CONSENT_COMPENSATION or CONSENT_WRITE_OFF");
        }
        // PBOC has no institution role here: the fund operator records the PBOC branch's consent by its reference.
        var party = caller.Role switch
        {
            Role.EmploymentService => ClaimConsentParty.Hrss,
            Role.FinanceBureau => ClaimConsentParty.Finance,
            _ => ClaimConsentParty.Pboc,
        };
        if (party == ClaimConsentParty.Pboc && stage == ClaimConsentStage.WriteOff)
        {
            errors.Add("stage", "a write-off is confirmed by the employment service and the finance bureau, not PBOC");
        }
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, "", "claim.consent_recorded", on, ClaimLoad.Claim,
            (scope, c) => Task.FromResult(Check(c.Claim.RecordConsent(new ClaimConsent(stage!.Value, party, scope.Caller.InstitutionId, reference, on)))));
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> ApproveClaim(ApproveClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "decided_date", request.DecidedDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.approved", on, ClaimLoad.Compensation,
            async (scope, c) =>
            {
                var data = c.Claim.Data;
                // The balance was read under the fund's row lock: public money never pays more than the fund holds.
                var approved = Check(c.Claim.Approve(on, c.FundCash));
                Refuse(c.Loan!.RecordCompensation(on, new Compensation(data.BaseMode, data.OutstandingPrincipal, data.UnpaidInterest, data.Split, [])));
                // The guarantee ends: whatever principal it still covered is released.
                GuaranteePostings.Release(scope, c.Record!, c.LedgerOutstanding, c.Record!.Data.Amount, on, data.PolicyVersionIds);
                await ClaimPostings.PostAsync(scope, approved.Data, approved.Posting);
                return approved;
            });
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> RejectClaim(RejectClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var reason = errors.Text("reason", request.Reason, lengthMax: 2000);
        var on = BusinessDate(errors, "decided_date", request.DecidedDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.rejected", on, ClaimLoad.ClaimAndLoan,
            (scope, c) =>
            {
                var rejected = Check(c.Claim.Reject(on, reason));
                Refuse(c.Loan!.RejectClaim());
                return Task.FromResult(rejected);
            });
    }

    /// <summary>
    /// A recovery (追偿). The fund operator's posts at once; the bank that collected it records it
    /// PENDING, and it posts only when the fund operator confirms it (<see cref="ConfirmRecovery"/>).
    /// </summary>
    [Roles(Role.Bank, Role.FundOperator)]
    public override async Task<Claim> RecordRecovery(RecordRecoveryRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var gross = errors.PositiveFen("gross_fen", request.GrossFen, ContributionFenMax);
        if (request.CostsFen < 0 || request.CostsFen >= request.GrossFen)
        {
            errors.Add("costs_fen", "costs must be ≥ 0 and less than the gross amount recovered");
        }
        var on = BusinessDate(errors, "recovered_date", request.RecoveredDate);
        errors.ThrowIfAny();
        var by = context.Caller().Role == Role.Bank ? RecoveryRecorder.Bank : RecoveryRecorder.FundOperator;
        var action = by == RecoveryRecorder.Bank ? "claim.recovery_reported" : "claim.recovery_recorded";
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, "", action, on,
            by == RecoveryRecorder.FundOperator ? ClaimLoad.ClaimAndLoan : ClaimLoad.Claim,
            async (scope, c) =>
            {
                var recorded = Check(c.Claim.RecordRecovery(by, scope.Caller.InstitutionId, on, new Money(gross), new Money(request.CostsFen)));
                await PostRecoveryAsync(scope, recorded, c.Loan, on);
                return recorded;
            });
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> ConfirmRecovery(ConfirmRecoveryRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        if (request.RecoveryNumber <= 0)
        {
            errors.Add("recovery_number", "the number of the claim's PENDING recovery (Recovery.number, from 1)");
        }
        var on = BusinessDate(errors, "confirmed_date", request.ConfirmedDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.recovery_confirmed", on, ClaimLoad.ClaimAndLoan,
            async (scope, c) =>
            {
                var confirmed = Check(c.Claim.ConfirmRecovery(request.RecoveryNumber, on));
                await PostRecoveryAsync(scope, confirmed, c.Loan, on);
                return confirmed;
            });
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> RefuseRecovery(RefuseRecoveryRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        if (request.RecoveryNumber <= 0)
        {
            errors.Add("recovery_number", "the number of the claim's PENDING recovery (Recovery.number, from 1)");
        }
        var reason = errors.Text("reason", request.Reason, lengthMax: 2000);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.recovery_refused", Today(), ClaimLoad.Claim,
            (scope, c) => Task.FromResult(Check(c.Claim.RefuseRecovery(request.RecoveryNumber, reason))));
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> WriteOffClaim(WriteOffClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var evidence = errors.Text("evidence", request.Evidence, required: request.ProvenUncollectable, lengthMax: 2000);
        var on = BusinessDate(errors, "write_off_date", request.WriteOffDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.written_off", on, ClaimLoad.ClaimAndLoan,
            async (scope, c) =>
            {
                var policy = await reference.GetAsync(scope.CancellationToken);
                var onWriteOff = policy.Resolver.At(c.Claim.Data.Region, on);
                var writtenOff = Check(c.Claim.WriteOff(on, request.ProvenUncollectable, evidence.Length > 0 ? evidence : null, onWriteOff));
                Refuse(c.Loan!.WriteOff(on, request.ProvenUncollectable, onWriteOff));
                await ClaimPostings.PostAsync(scope, writtenOff.Data, writtenOff.Posting);
                return writtenOff;
            });
    }

    /// <summary>Posts what a recovery step decided and moves the loan: RECOVERING on the first, CLOSED when all is recovered.</summary>
    private static async Task PostRecoveryAsync(WriteScope scope, ClaimOutcome outcome, DomainLoan? loan, DateOnly on)
    {
        if (outcome.Posting is null)
        {
            return;
        }
        await ClaimPostings.PostAsync(scope, outcome.Data, outcome.Posting);
        // After a write-off the loan stays WRITTEN_OFF (账销案存): the recovery restores what the write-off took.
        if (loan is null || outcome.Posting.Kind != ClaimPostingKind.Recovery)
        {
            return;
        }
        if (loan.State == Domain.Loans.LoanState.Compensated)
        {
            Refuse(loan.StartRecovery());
        }
        if (outcome.FullyRecovered)
        {
            Refuse(loan.Close(on));
        }
    }

    /// <summary>What a claim write loads besides the claim.</summary>
    private enum ClaimLoad
    {
        Claim,
        /// <summary>The step may move the claim's loan: it is locked too.</summary>
        ClaimAndLoan,
        /// <summary>Compensation: the loan, what the ledger holds guaranteed for it, and the fund's cash under the fund's row lock.</summary>
        Compensation,
    }

    /// <summary>A claim write's load: the claim as locked, its loan when the step moves it, the figures compensation needs.</summary>
    private sealed record LoadedClaim(CompensationClaim Claim, LoanRecord? Record, DomainLoan? Loan, long LedgerOutstanding, Money FundCash);

    /// <summary>
    /// One claim write, in three round trips: the load (the request id's claim, the claim locked, its loan
    /// locked when the step may move it, and for compensation the fund's row lock and cash), then, after
    /// the visibility and etag checks and the aggregate's decision (refusals throw), the effects queued
    /// (claim with the consent or recovery it changed, postings, loan, audit events, stored reply) as one
    /// batch, then COMMIT.
    /// </summary>
    private Task<Claim> ChangeClaimAsync(ServerCallContext context, string requestId, Google.Protobuf.IMessage request, string name, string etag,
        string action, DateOnly on, ClaimLoad load, Func<WriteScope, LoadedClaim, Task<ClaimOutcome>> decide)
    {
        var id = ClaimId(name);
        return writes.RunAsync(context, requestId, request, async scope =>
        {
            var session = scope.Session;
            // In lock order: the claim, its loan, the fund (as IssueGuarantee: loan, then fund).
            var found = session.Enqueue(session.Claims.Find(id, forUpdate: true));
            var loanRow = load == ClaimLoad.Claim ? null : session.Enqueue(session.Loans.FindOfClaim(id, forUpdate: true));
            Query<long>? outstanding = null, cash = null;
            if (load == ClaimLoad.Compensation)
            {
                outstanding = session.Enqueue(FundAccounts.GuaranteedOutstandingOfClaim(id));
                session.Enqueue(session.Funds.LockFundOfClaim(id));
                cash = session.Enqueue(session.Funds.CashOfClaimFund(id));
            }
            await session.FlushAsync();
            var stored = VisibleClaim(scope.Caller, found.Value, name);
            // Each step re-derives its outcome from the claim as locked here: the etag is checked when given.
            Etags.Check(name, stored.Version, etag, EtagUse.IfGiven);
            var record = loanRow?.Value;
            var loan = record is null ? null : DomainLoan.Rehydrate(record.Data);
            var before = loan?.State;
            var outcome = await decide(scope, new LoadedClaim(CompensationClaim.Rehydrate(stored.Data), record, loan,
                outstanding?.Value ?? 0, new Money(cash?.Value ?? 0)));
            session.Claims.Save(outcome, stored.Version, scope.RequestId,
                () => RpcErrors.Aborted("CONCURRENT_UPDATE", $"{name} was changed by another request; read it again and retry"));
            if (record is not null && loan is not null && (loan.State != before || loan.Data != record.Data))
            {
                await SaveLoanAsync(scope, record, loan, before!.Value, "loan." + action.Replace("claim.", "claim_", StringComparison.Ordinal), on);
            }
            var data = outcome.Data;
            await scope.AuditAsync(ClaimSubject, data.Id, action, outcome.From.ToCode(), outcome.To.ToCode(),
                new
                {
                    fund_fen = data.FundPays.Fen, bank_fen = data.BankBears.Fen, recovered_net_fen = data.RecoveredNet.Fen,
                    posting = outcome.Posting?.Kind.ToCode(), recovery = outcome.Recovery?.Number, consent = outcome.Consent?.Party.ToCode(),
                    rejection_reason = data.RejectionReason,
                }, on);
            return ToProto(new StoredClaim(data, stored.Version + 1), await reference.GetAsync(scope.CancellationToken));
        }, claimWithLoad: true);
    }

    private static async Task SaveLoanAsync(WriteScope scope, LoanRecord record, DomainLoan loan, Domain.Loans.LoanState before, string action, DateOnly on)
    {
        scope.Session.Loans.Update(loan.Data, record.Version, null, record.FailedRules, scope.Now,
            () => RpcErrors.Aborted("CONCURRENT_UPDATE", $"loans/{record.Data.Id} was changed by another request; retry"));
        await scope.AuditAsync("loan", record.Data.Id, action, before.ToCode(), loan.State.ToCode(),
            new { outstanding_principal_fen = loan.Data.OutstandingPrincipal.Fen, policy_versions = loan.Data.PolicyVersionIds }, on);
    }

    /// <summary>The claim, if the caller may see it (<see cref="AccessPolicy"/>); NOT_FOUND otherwise.</summary>
    private static StoredClaim VisibleClaim(Identity.Caller caller, StoredClaim? stored, string name) =>
        stored is not null && AccessPolicy.CanSee(caller, stored) ? stored : throw ResourceNames.Claim.NotFound(name, caller.InstitutionId);

    private static string ClaimId(string name, string field = "name") => ResourceNames.Claim.Parse(name, field);

    private static void Refuse(Result<Unit> result)
    {
        if (!result.IsOk)
        {
            throw result.Refusal.ToRpc();
        }
    }

    private static T Check<T>(Result<T> result) => result.IsOk ? result.Value : throw result.Refusal.ToRpc();

    private static Claim ToProto(StoredClaim stored, PolicyReferenceData policy)
    {
        var c = stored.Data;
        var claim = new Claim
        {
            Name = ResourceNames.Claim.Format(c.Id),
            Loan = LoanMapping.Name(c.LoanId),
            Bank = ResourceNames.Institution.Format(c.BankId),
            Fund = ResourceNames.Institution.Format(c.FundId),
            State = c.State switch
            {
                CompensationClaimState.Filed => ClaimState.ClaimFiled,
                CompensationClaimState.Approved => ClaimState.ClaimApproved,
                CompensationClaimState.Rejected => ClaimState.ClaimRejected,
                _ => ClaimState.ClaimWrittenOff,
            },
            ClaimDate = Date(c.ClaimDate),
            OverdueDays = c.OverdueDays,
            OutstandingPrincipalFen = c.OutstandingPrincipal.Fen,
            UnpaidInterestFen = c.UnpaidInterest.Fen,
            BaseMode = ClaimStore.BaseModeCode(c.BaseMode),
            BaseFen = c.Base.Fen,
            FundShareBp = c.FundShare.Bp,
            FundFen = c.FundPays.Fen,
            BankFen = c.BankBears.Fen,
            DecidedDate = Date(c.DecidedDate),
            RejectionReason = c.RejectionReason ?? "",
            RecoveredFundFen = c.RecoveredFund.Fen,
            RecoveredBankFen = c.RecoveredBank.Fen,
            RecoveredNetFen = c.RecoveredNet.Fen,
            PendingRecoveryFen = c.PendingNet.Fen,
            WrittenOffFundFen = c.WrittenOffFund.Fen,
            WrittenOffBankFen = c.WrittenOffBank.Fen,
            WrittenOffDate = Date(c.WrittenOffDate),
            GuarantorType = GuarantorTypes.ToProto(c.Guarantor),
            ClaimableOn = Date(c.ClaimableOn),
            FiledLate = c.FiledLate,
            LastOnTimeDate = Date(LateClaim.LastOnTimeDay(c.ClaimableOn)),
            Etag = Etags.Of(stored.Version),
        };
        claim.Consents.AddRange(c.Consents.Select(k => new Consent
        {
            Stage = k.Stage == ClaimConsentStage.Compensation ? ConsentStage.ConsentCompensation : ConsentStage.ConsentWriteOff,
            Party = k.Party.ToCode(),
            Institution = ResourceNames.Institution.Format(k.Institution),
            Reference = k.Reference,
            ConsentDate = Date(k.ConsentDate),
        }));
        claim.Recoveries.AddRange(c.Recoveries.Select(r => new Recovery
        {
            Number = r.Number,
            RecordedBy = ClaimStore.RecorderCode(r.RecordedBy),
            Institution = ResourceNames.Institution.Format(r.Institution),
            Status = r.Status switch
            {
                Domain.Compensation.RecoveryStatus.Pending => Contracts.V1.RecoveryStatus.RecoveryPending,
                Domain.Compensation.RecoveryStatus.Posted => Contracts.V1.RecoveryStatus.RecoveryPosted,
                _ => Contracts.V1.RecoveryStatus.RecoveryRefused,
            },
            RecoveredDate = Date(r.RecoveredDate),
            GrossFen = r.Gross.Fen,
            CostsFen = r.Costs.Fen,
            NetFen = r.Net.Fen,
            FundFen = r.Split?.Fund.Fen ?? 0,
            BankFen = r.Split?.Bank.Fen ?? 0,
            AfterWriteOff = r.AfterWriteOff,
            PostedDate = Date(r.PostedDate),
            RefusalReason = r.RefusalReason ?? "",
        }));
        foreach (var id in c.PolicyVersionIds)
        {
            if (policy.Versions.FirstOrDefault(v => v.Id == id) is { } version)
            {
                claim.PolicyVersions.Add(LoanMappingRefs.Ref(version));
            }
        }
        return claim;
    }
}
