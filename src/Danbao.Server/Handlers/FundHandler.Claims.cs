using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Danbao.Data.Loans;
using Danbao.Domain;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Fund;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Validation;
using DomainLoan = Danbao.Domain.Loan;

namespace Danbao.Server.Handlers;

// Compensation claims (代偿): filing, consents, approval or rejection, recoveries (追偿), write-off (呆账核销).
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
            var (conn, tx, ct) = (scope.Connection, scope.Transaction, scope.CancellationToken);
            var record = LoanAccess.Visible(scope.Caller, await LoanStore.FindAsync(conn, tx, loanId, true, ct), request.Loan);
            if (record.GuaranteeFundId is not { } fundId || record.Data.GuaranteeDate is not { } guaranteed)
            {
                throw RpcErrors.FailedPrecondition("NOT_GUARANTEED", $"{request.Loan} has no guarantee to claim under");
            }
            var policy = await reference.GetAsync(ct);
            var loan = DomainLoan.Rehydrate(record.Data);
            var before = loan.State;
            // Overdue days from the schedule and the repayments, not from whether a batch marked the loan.
            var repayments = await LoanStore.RepaymentsAsync(conn, tx, record.Data.Id, ct);
            var overdueDays = loan.OverdueDaysOn(on, repayments);
            // Base: outstanding principal + normal interest unpaid to the claim date (never penalty), or principal only.
            var principal = record.Data.OutstandingPrincipal;
            var interest = loan.InterestDueOn(on);
            Refuse(loan.FileClaim(on, policy.Resolver.At(record.Data.Region, on), repayments));
            var compensation = Check(CompensationCalculator.Compute(principal, interest, record.Data.HkMacauYouth, policy.Resolver,
                record.Data.Region, guaranteed, on));
            var claim = new ClaimRecord
            {
                Id = "C" + LoanIds.New(scope.Now)[1..],
                LoanId = record.Data.Id,
                BankId = record.BankId,
                FundId = fundId,
                RegionCode = record.Data.Region.Value,
                State = "FILED",
                ClaimDate = on,
                OverdueDays = overdueDays,
                OutstandingPrincipalFen = compensation.OutstandingPrincipal.Fen,
                UnpaidInterestFen = compensation.UnpaidInterest.Fen,
                BaseMode = compensation.Mode == CompensationBaseMode.PrincipalOnly ? "PRINCIPAL_ONLY" : "PRINCIPAL_AND_INTEREST",
                BaseFen = compensation.Base.Fen,
                FundShareBp = compensation.Split.FundShare.Bp,
                FundFen = compensation.FundPays.Fen,
                BankFen = compensation.BankBears.Fen,
                PolicyVersionIds = compensation.Versions.Select(v => v.Id).Distinct().ToList(),
            };
            try
            {
                await FundStore.InsertClaimAsync(conn, tx, claim, ct);
            }
            catch (ClaimExistsException)
            {
                throw RpcErrors.FailedPrecondition("CLAIM_EXISTS", $"{request.Loan} already has a compensation claim filed or paid");
            }
            await SaveLoanAsync(scope, record, loan, before, "loan.claim_filed", on);
            await scope.AuditAsync(ClaimSubject, claim.Id, "claim.filed", null, claim.State,
                new { loan = claim.LoanId, base_fen = claim.BaseFen, fund_fen = claim.FundFen, bank_fen = claim.BankFen, policy_versions = claim.PolicyVersionIds }, on);
            return await ToProtoAsync(scope, claim);
        });
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<Claim> GetClaim(GetClaimRequest request, ServerCallContext context)
    {
        var id = ClaimId(request.Name);
        await using var conn = await database.DataSource.OpenConnectionAsync(context.CancellationToken);
        var claim = VisibleClaim(context.Caller(), await FundStore.FindClaimAsync(conn, null, id, false, context.CancellationToken), request.Name);
        return await ToProtoAsync(conn, null, claim, context.CancellationToken);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListClaimsResponse> ListClaims(ListClaimsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        string? state = request.State switch
        {
            ClaimState.Unspecified => null,
            ClaimState.ClaimFiled => "FILED",
            ClaimState.ClaimApproved => "APPROVED",
            ClaimState.ClaimRejected => "REJECTED",
            ClaimState.ClaimWrittenOff => "WRITTEN_OFF",
            _ => throw RpcErrors.InvalidArgument("state is not a claim state", ("state", "a ClaimState value")),
        };
        var ct = context.CancellationToken;
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        // A bank lists only its own claims, a fund operator its fund's, regional bodies their region's.
        var rows = await FundStore.ListClaimsAsync(conn,
            caller.Role == Role.Bank ? caller.InstitutionId : null,
            caller.Role == Role.FundOperator ? caller.InstitutionId : null,
            caller.Role is Role.Bank or Role.Admin or Role.FundOperator ? null : caller.RegionCode,
            state, after.Length > 0 ? after : null, size + 1, ct);
        var response = new ListClaimsResponse();
        foreach (var row in rows.Take(size))
        {
            response.Claims.Add(await ToProtoAsync(conn, null, row, ct));
        }
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Id);
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
        var stage = request.Stage switch
        {
            ConsentStage.ConsentCompensation => "COMPENSATION",
            ConsentStage.ConsentWriteOff => "WRITE_OFF",
            _ => null,
        };
        if (stage is null)
        {
            errors.Add("stage", "CONSENT_COMPENSATION or CONSENT_WRITE_OFF");
        }
        // PBOC has no institution role here: the fund operator records the PBOC branch's consent by its reference.
        var party = caller.Role switch
        {
            Role.EmploymentService => "HRSS",
            Role.FinanceBureau => "FINANCE",
            _ => "PBOC",
        };
        if (party == "PBOC" && stage == "WRITE_OFF")
        {
            errors.Add("stage", "a write-off is confirmed by the employment service and the finance bureau, not PBOC");
        }
        errors.ThrowIfAny();
        var id = ClaimId(request.Name);
        return await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var (conn, tx, ct) = (scope.Connection, scope.Transaction, scope.CancellationToken);
            var claim = VisibleClaim(scope.Caller, await FundStore.FindClaimAsync(conn, tx, id, true, ct), request.Name);
            var expected = stage == "COMPENSATION" ? "FILED" : "APPROVED";
            if (claim.State != expected)
            {
                throw RpcErrors.FailedPrecondition(ReasonCodes.IllegalTransition, $"{request.Name} is {claim.State}: {stage} consents are recorded while it is {expected}");
            }
            await FundStore.InsertConsentAsync(conn, tx, new ConsentRecord(claim.Id, stage!, party, scope.Caller.InstitutionId, reference, on), ct);
            await scope.AuditAsync(ClaimSubject, claim.Id, "claim.consent_recorded", claim.State, claim.State, new { stage, party, reference }, on);
            return await ToProtoAsync(scope, claim);
        });
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> ApproveClaim(ApproveClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = BusinessDate(errors, "decided_date", request.DecidedDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.approved", on, async (scope, claim, record, loan) =>
        {
            var (conn, tx, ct) = (scope.Connection, scope.Transaction, scope.CancellationToken);
            RequireState(claim, "FILED", request.Name);
            var consents = await FundStore.ConsentsAsync(conn, tx, claim.Id, ct);
            var missing = new[] { "HRSS", "FINANCE", "PBOC" }.Where(p => !consents.Any(c => c.Stage == "COMPENSATION" && c.Party == p)).ToList();
            if (missing.Count > 0)
            {
                throw RpcErrors.FailedPrecondition("CONSENTS_MISSING", $"approval needs the consents of HRSS, finance and PBOC; missing: {string.Join(", ", missing)}",
                    new Dictionary<string, string> { ["missing"] = string.Join(",", missing) });
            }
            await FundStore.LockFundAsync(conn, tx, claim.FundId, claim.RegionCode, ct);
            var balance = await FundStore.BalanceOrZeroAsync(conn, tx, FundAccounts.Cash(claim.FundId), ct);
            // Public money never pays more than the fund holds.
            if (balance < claim.FundFen)
            {
                throw RpcErrors.FailedPrecondition("FUND_BALANCE_INSUFFICIENT", $"the fund holds {balance} fen, less than its share {claim.FundFen} fen");
            }
            var compensation = new Compensation(
                claim.BaseMode == "PRINCIPAL_ONLY" ? CompensationBaseMode.PrincipalOnly : CompensationBaseMode.PrincipalAndInterest,
                new Money(claim.OutstandingPrincipalFen), new Money(claim.UnpaidInterestFen),
                new SplitAmounts(new Money(claim.BaseFen), new Ratio(claim.FundShareBp), new Money(claim.FundFen), new Money(claim.BankFen)), []);
            Refuse(loan.RecordCompensation(on, compensation));
            // The guarantee ends: whatever principal it still covered is released.
            await GuaranteePostings.ReleaseAsync(scope, record, record.Data.Amount, on, claim.PolicyVersionIds);
            await ClaimPostings.CompensationAsync(scope, claim, on);
            return claim with { State = "APPROVED", DecidedDate = on };
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
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.rejected", on, (scope, claim, record, loan) =>
        {
            RequireState(claim, "FILED", request.Name);
            Refuse(loan.RejectClaim());
            return Task.FromResult(claim with { State = "REJECTED", DecidedDate = on, RejectionReason = reason });
        });
    }

    [Roles(Role.FundOperator)]
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
        var net = gross - request.CostsFen;
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, "", "claim.recovery_recorded", on, async (scope, claim, record, loan) =>
        {
            RequireState(claim, "APPROVED", request.Name);
            if (claim.RecoveredNetFen + net > claim.BaseFen)
            {
                throw RpcErrors.FailedPrecondition("RECOVERY_EXCEEDS_CLAIM",
                    $"recovered {claim.RecoveredNetFen} fen so far; {net} fen more would exceed the compensation base {claim.BaseFen} fen");
            }
            // Shared back in the loss ratio, exact over the running total.
            var split = CumulativeRecoverySplit.Next(new Money(claim.RecoveredNetFen), new Money(net), new Ratio(claim.FundShareBp));
            if (loan.State == Domain.LoanState.Compensated)
            {
                Refuse(loan.StartRecovery());
            }
            var updated = claim with
            {
                RecoveredNetFen = claim.RecoveredNetFen + net,
                RecoveredFundFen = claim.RecoveredFundFen + split.Fund.Fen,
                RecoveredBankFen = claim.RecoveredBankFen + split.Bank.Fen,
            };
            if (updated.RecoveredNetFen == updated.BaseFen)
            {
                Refuse(loan.Close(on));
            }
            await FundStore.InsertRecoveryAsync(scope.Connection, scope.Transaction,
                new RecoveryRecord(claim.Id, on, gross, request.CostsFen, net, split.Fund.Fen, split.Bank.Fen), scope.RequestId, scope.CancellationToken);
            await ClaimPostings.RecoveryAsync(scope, claim, split, on);
            return updated;
        });
    }

    [Roles(Role.FundOperator)]
    public override async Task<Claim> WriteOffClaim(WriteOffClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var evidence = errors.Text("evidence", request.Evidence, required: request.ProvenUncollectable, lengthMax: 2000);
        var on = BusinessDate(errors, "write_off_date", request.WriteOffDate);
        errors.ThrowIfAny();
        return await ChangeClaimAsync(context, request.RequestId, request, request.Name, request.Etag, "claim.written_off", on, async (scope, claim, record, loan) =>
        {
            RequireState(claim, "APPROVED", request.Name);
            var consents = await FundStore.ConsentsAsync(scope.Connection, scope.Transaction, claim.Id, scope.CancellationToken);
            var missing = new[] { "HRSS", "FINANCE" }.Where(p => !consents.Any(c => c.Stage == "WRITE_OFF" && c.Party == p)).ToList();
            if (missing.Count > 0)
            {
                throw RpcErrors.FailedPrecondition("CONFIRMATIONS_MISSING", $"a write-off needs HRSS and finance confirmations; missing: {string.Join(", ", missing)}",
                    new Dictionary<string, string> { ["missing"] = string.Join(",", missing) });
            }
            var policy = await reference.GetAsync(scope.CancellationToken);
            Refuse(loan.WriteOff(on, request.ProvenUncollectable, policy.Resolver.At(record.Data.Region, on)));
            var fundFen = claim.UnrecoveredFundFen;
            var bankFen = claim.UnrecoveredBankFen;
            await ClaimPostings.WriteOffAsync(scope, claim, fundFen, bankFen, on);
            return claim with
            {
                State = "WRITTEN_OFF",
                WrittenOffFundFen = claim.WrittenOffFundFen + fundFen,
                WrittenOffBankFen = claim.WrittenOffBankFen + bankFen,
                WrittenOffDate = on,
                WriteOffEvidence = evidence.Length > 0 ? evidence : null,
                PolicyVersionIds = claim.PolicyVersionIds.Concat(loan.Data.PolicyVersionIds.Except(record.Data.PolicyVersionIds)).Distinct().ToList(),
            };
        });
    }

    /// <summary>
    /// One claim write: lock the claim, check visibility and etag, lock its loan, let the effects
    /// decide (they throw refusals), then store claim and loan with audit events, in one transaction.
    /// </summary>
    private Task<Claim> ChangeClaimAsync(ServerCallContext context, string requestId, Google.Protobuf.IMessage request, string name, string etag,
        string action, DateOnly on, Func<WriteScope, ClaimRecord, LoanRecord, DomainLoan, Task<ClaimRecord>> effects)
    {
        var id = ClaimId(name);
        return writes.RunAsync(context, requestId, request, async scope =>
        {
            var (conn, tx, ct) = (scope.Connection, scope.Transaction, scope.CancellationToken);
            var claim = VisibleClaim(scope.Caller, await FundStore.FindClaimAsync(conn, tx, id, true, ct), name);
            if (scope.Caller.Role == Role.FundOperator && claim.FundId != scope.Caller.InstitutionId)
            {
                throw RpcErrors.NotFound("danbao.v1.Claim", name, $"{name} is not a claim on your fund");
            }
            if (etag.Length > 0 && etag != Etag(claim.Version))
            {
                throw RpcErrors.Aborted("ETAG_MISMATCH", $"{name} changed since you read it; read it again and retry",
                    new Dictionary<string, string> { ["current_etag"] = Etag(claim.Version) });
            }
            var record = (await LoanStore.FindAsync(conn, tx, claim.LoanId, true, ct))!;
            var loan = DomainLoan.Rehydrate(record.Data);
            var before = loan.State;
            var updated = await effects(scope, claim, record, loan);
            if (!await FundStore.UpdateClaimAsync(conn, tx, updated, claim.Version, ct))
            {
                throw RpcErrors.Aborted("CONCURRENT_UPDATE", $"{name} was changed by another request; read it again and retry");
            }
            if (loan.State != before || loan.Data != record.Data)
            {
                await SaveLoanAsync(scope, record, loan, before, "loan." + action.Replace("claim.", "claim_", StringComparison.Ordinal), on);
            }
            await scope.AuditAsync(ClaimSubject, claim.Id, action, claim.State, updated.State,
                new { fund_fen = updated.FundFen, bank_fen = updated.BankFen, recovered_net_fen = updated.RecoveredNetFen, rejection_reason = updated.RejectionReason }, on);
            return await ToProtoAsync(scope, updated with { Version = claim.Version + 1 });
        });
    }

    private static async Task SaveLoanAsync(WriteScope scope, LoanRecord record, DomainLoan loan, Domain.LoanState before, string action, DateOnly on)
    {
        if (!await LoanStore.UpdateAsync(scope.Connection, scope.Transaction, loan.Data, record.Version, null, record.FailedRules, scope.Now, scope.CancellationToken))
        {
            throw RpcErrors.Aborted("CONCURRENT_UPDATE", $"loans/{record.Data.Id} was changed by another request; retry");
        }
        await scope.AuditAsync("loan", record.Data.Id, action, before.ToCode(), loan.State.ToCode(),
            new { outstanding_principal_fen = loan.Data.OutstandingPrincipal.Fen, policy_versions = loan.Data.PolicyVersionIds }, on);
    }

    /// <summary>Who sees a claim: the bank its own; the fund operator its fund's; regional bodies their region's; admin all.</summary>
    private static ClaimRecord VisibleClaim(Identity.Caller caller, ClaimRecord? claim, string name)
    {
        var visible = claim is not null && caller.Role switch
        {
            Role.Bank => claim.BankId == caller.InstitutionId,
            Role.FundOperator => claim.FundId == caller.InstitutionId,
            Role.Admin => true,
            _ => caller.CoversRegion(claim.RegionCode),
        };
        return visible ? claim! : throw RpcErrors.NotFound("danbao.v1.Claim", name, $"{name} does not exist or is not visible to {caller.InstitutionId}");
    }

    private static string ClaimId(string name, string field = "name")
    {
        if (!name.StartsWith("claims/", StringComparison.Ordinal) || name.Length is < 9 or > 40)
        {
            throw RpcErrors.InvalidArgument($"{field} must be a claim name like claims/C0123ABCDEF4567", (field, "claims/{claim_id}"));
        }
        return name["claims/".Length..];
    }

    private static void RequireState(ClaimRecord claim, string state, string name)
    {
        if (claim.State != state)
        {
            throw RpcErrors.FailedPrecondition(state == "FILED" ? "CLAIM_NOT_PENDING" : "CLAIM_NOT_PAID",
                $"{name} is {claim.State}; this step needs it {state}");
        }
    }

    private static void Refuse(Result<Unit> result)
    {
        if (!result.IsOk)
        {
            throw result.Refusal.ToRpc();
        }
    }

    private static T Check<T>(Result<T> result) => result.IsOk ? result.Value : throw result.Refusal.ToRpc();

    private static string Etag(int version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Task<Claim> ToProtoAsync(WriteScope scope, ClaimRecord claim) => ToProtoAsync(scope.Connection, scope.Transaction, claim, scope.CancellationToken);

    private async Task<Claim> ToProtoAsync(Npgsql.NpgsqlConnection conn, Npgsql.NpgsqlTransaction? tx, ClaimRecord c, CancellationToken ct)
    {
        var claim = new Claim
        {
            Name = "claims/" + c.Id,
            Loan = LoanMapping.Name(c.LoanId),
            Bank = "institutions/" + c.BankId,
            Fund = "institutions/" + c.FundId,
            State = c.State switch
            {
                "FILED" => ClaimState.ClaimFiled,
                "APPROVED" => ClaimState.ClaimApproved,
                "REJECTED" => ClaimState.ClaimRejected,
                "WRITTEN_OFF" => ClaimState.ClaimWrittenOff,
                _ => ClaimState.Unspecified,
            },
            ClaimDate = Date(c.ClaimDate),
            OverdueDays = c.OverdueDays,
            OutstandingPrincipalFen = c.OutstandingPrincipalFen,
            UnpaidInterestFen = c.UnpaidInterestFen,
            BaseMode = c.BaseMode,
            BaseFen = c.BaseFen,
            FundShareBp = c.FundShareBp,
            FundFen = c.FundFen,
            BankFen = c.BankFen,
            DecidedDate = Date(c.DecidedDate),
            RejectionReason = c.RejectionReason ?? "",
            RecoveredFundFen = c.RecoveredFundFen,
            RecoveredBankFen = c.RecoveredBankFen,
            WrittenOffFundFen = c.WrittenOffFundFen,
            WrittenOffBankFen = c.WrittenOffBankFen,
            WrittenOffDate = Date(c.WrittenOffDate),
            Etag = Etag(c.Version),
        };
        foreach (var consent in await FundStore.ConsentsAsync(conn, tx, c.Id, ct))
        {
            claim.Consents.Add(new Consent
            {
                Stage = consent.Stage == "COMPENSATION" ? ConsentStage.ConsentCompensation : ConsentStage.ConsentWriteOff,
                Party = consent.Party,
                Institution = "institutions/" + consent.Institution,
                Reference = consent.Reference,
                ConsentDate = Date(consent.ConsentDate),
            });
        }
        foreach (var r in await FundStore.RecoveriesAsync(conn, tx, c.Id, ct))
        {
            claim.Recoveries.Add(new Recovery
            {
                RecoveredDate = Date(r.RecoveredDate), GrossFen = r.GrossFen, CostsFen = r.CostsFen, NetFen = r.NetFen, FundFen = r.FundFen, BankFen = r.BankFen,
            });
        }
        var policy = await reference.GetAsync(ct);
        var byId = policy.Versions.ToDictionary(v => v.Id, StringComparer.Ordinal);
        foreach (var id in c.PolicyVersionIds)
        {
            if (byId.TryGetValue(id, out var version))
            {
                claim.PolicyVersions.Add(LoanMappingRefs.Ref(version));
            }
        }
        return claim;
    }
}
