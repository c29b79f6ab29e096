using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Audit;
using Danbao.Data.Loans;
using Danbao.Data.Sessions;
using Danbao.Domain;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Time;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Privacy;
using Danbao.Server.Reference;
using Danbao.Server.Resources;
using Danbao.Server.Validation;
using DomainLoan = Danbao.Domain.Loans.Loan;
using ProtoLoan = Danbao.Contracts.V1.Loan;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.LoanService: a guarantee loan from application to its end. Each write loads the loan
/// FOR UPDATE, checks the caller's etag, asks the aggregate for the transition, and stores the
/// result with an audit event, all in the request's one transaction (see <see cref="WriteRunner"/>).
/// </summary>
public sealed partial class LoanHandler(ReadSession reads, WriteRunner writes, ReferenceDataCache reference,
    IdNumberVault vault, TimeProvider clock, LoanSnapshots snapshots, LoanVersions versions) : LoanService.LoanServiceBase
{
    private const string SubjectType = "loan";

    [Roles(Role.Bank)]
    public override async Task<ProtoLoan> CreateLoan(CreateLoanRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var application = LoanApplication.Parse(request, caller, Today());
        var policy = await reference.GetAsync(context.CancellationToken);
        // Limits are checked at intake too, so a bank hears at once that an application cannot be approved.
        var limits = LoanApproval.Check(application.Terms, policy.Resolver, policy.Lpr);
        if (!limits.IsApproved)
        {
            throw Refused(limits.Assessment);
        }
        return await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var id = LoanIds.New(scope.Now);
            var loan = DomainLoan.Submit(id, application.Terms, application.Method);
            var record = new LoanRecord
            {
                Data = loan.Data with { PolicyVersionIds = limits.Assessment.Versions.Select(v => v.Id).Distinct().ToList() },
                BankId = scope.Caller.InstitutionId,
                District = application.District,
                BorrowerJson = LoanMapping.StoredBorrowerJson(application.Borrower),
                IdNumberCipher = vault.Encrypt(application.PrincipalId.Number),
                IdNumberIndex = vault.Index(application.PrincipalId.Number),
                ApplicationDate = application.ApplicationDate,
                CreditCode = application.CreditCode,
                CreatedAt = scope.Now,
                UpdatedAt = scope.Now,
            };
            scope.Session.Loans.Insert(record);
            scope.Session.Loans.AddBorrowerIds(id, application.PartnerIds.Select(p => vault.Index(p.Number)));
            await scope.AuditAsync(SubjectType, id, "loan.submitted", null, loan.State.ToCode(),
                new { amount_fen = loan.Data.Amount.Fen, term_months = loan.Data.TermMonths, contract_rate_bp = loan.Data.ContractRate.Bp },
                application.ApplicationDate);
            return LoanMapping.ToProto(record, policy.Resolver, Today(), [], policy.Calendar);
        }, claimWithLoad: true);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ProtoLoan> GetLoan(GetLoanRequest request, ServerCallContext context)
    {
        var id = LoanAccess.IdOf(request.Name);
        var policy = await reference.GetAsync(context.CancellationToken);
        var today = Today();
        if (snapshots.Enabled)
        {
            // The row's version only (read with other calls' checks); the reply kept for that version (and today, and
            // this policy) if any.
            var version = await versions.VersionAsync(id, context.CancellationToken);
            if (version is { } v && snapshots.Find(id, v, today, policy) is { } kept)
            {
                LoanAccess.Visible(context.Caller(), kept.Record, request.Name);
                return kept.Reply;
            }
        }
        var session = await reads.GetAsync(context.CancellationToken);
        // The loan and its repayments in one round trip (repayments are few, and none before disbursement).
        var (found, repayments) = await session.ReadAsync(session.Loans.Find(id, false), session.Loans.Repayments(id));
        var loan = LoanAccess.Visible(context.Caller(), found, request.Name);
        return MapAndKeep(loan, repayments, today, policy);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListLoansResponse> ListLoans(ListLoansRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = Paging.PageSize(request.PageSize);
        var cursor = ParseCursor(Paging.Decode(request.PageToken));
        var errors = new FieldErrors();
        var from = errors.Date("created_from_date", request.CreatedFromDate, required: false);
        var to = errors.Date("created_to_date", request.CreatedToDate, required: false);
        if (!Enum.IsDefined(request.State))
        {
            errors.Add("state", "not a loan state; leave it unset (LOAN_STATE_UNSPECIFIED) for any state");
        }
        var bank = request.Bank.Length == 0 ? null
            : request.Bank.StartsWith(ResourceNames.Institution.Prefix, StringComparison.Ordinal) ? ResourceNames.Institution.Parse(errors, "bank", request.Bank) : request.Bank;
        errors.ThrowIfAny();
        var scope = AccessPolicy.ScopeOf(caller, byFund: false);
        var filter = new LoanFilter
        {
            // A bank's listing is always its own, whatever it asks for; the bodies see their region (AccessPolicy).
            BankId = scope.BankId ?? bank,
            RegionWithin = scope.RegionWithin,
            State = LoanMapping.ToDomain(request.State),
            District = request.District.Length > 0 ? request.District : null,
            CreatedFrom = from is { } f ? ChinaStandardTime.StartOfDay(f) : null,
            CreatedBefore = to is { } t ? ChinaStandardTime.StartOfDay(t.AddDays(1)) : null,
        };
        var session = await reads.GetAsync(context.CancellationToken);
        var policy = await reference.GetAsync(context.CancellationToken);
        var today = Today();
        // The page's keys, then whole rows and repayments only of the loans with no reply kept for their version
        // (one round trip more on a cold page; none on a warm one, and PostgreSQL sends three columns, not forty).
        var keys = await session.ReadAsync(session.Loans.ListKeys(filter, cursor, size + 1));
        var page = keys.Take(size).ToList();
        var kept = page.Select(k => snapshots.Find(k.Id, k.Version, today, policy)).ToList();
        var missing = page.Where((_, i) => kept[i] is null).Select(k => k.Id).ToList();
        Dictionary<string, LoanRecord> records = [];
        Dictionary<string, List<Domain.Subsidy.RecordedRepayment>> repayments = [];
        if (missing.Count > 0)
        {
            (records, repayments) = await session.ReadAsync(session.Loans.FindMany(missing), session.Loans.Repayments(missing));
        }
        var response = new ListLoansResponse();
        for (var i = 0; i < page.Count; i++)
        {
            if (kept[i] is { } reply)
            {
                response.Loans.Add(reply.Reply);
            }
            else if (records.TryGetValue(page[i].Id, out var record)) // perhaps at a later version; the application deletes no loan
            {
                response.Loans.Add(MapAndKeep(record, repayments.TryGetValue(record.Data.Id, out var paid) ? paid : [], today, policy));
            }
        }
        if (keys.Count > size)
        {
            var last = keys[size - 1];
            response.NextPageToken = Paging.Encode($"{last.CreatedAt.UtcTicks}|{last.Id}");
        }
        return response;
    }

    /// <summary>The loan's reply, kept for its version, today and this policy.</summary>
    private ProtoLoan MapAndKeep(LoanRecord record, List<Domain.Subsidy.RecordedRepayment> repayments, DateOnly today,
        Data.Policy.PolicyReferenceData policy)
    {
        var reply = LoanMapping.ToProto(record, policy.Resolver, today, repayments, policy.Calendar);
        snapshots.Keep(new LoanSnapshot(record, repayments, reply, today, policy));
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListLoanEventsResponse> ListLoanEvents(ListLoanEventsRequest request, ServerCallContext context)
    {
        var id = LoanAccess.IdOf(request.Name);
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        long afterId = 0;
        if (after.Length > 0 && !long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out afterId))
        {
            throw RpcErrors.InvalidArgument("page_token is not a token this service issued", ("page_token", "pass back next_page_token unchanged"));
        }
        var session = await reads.GetAsync(context.CancellationToken);
        LoanAccess.Visible(context.Caller(), await session.Loans.FindAsync(id, false), request.Name);
        var page = await session.Audit.BySubjectAsync(SubjectType, id, afterId == 0 ? null : afterId, size);
        var response = new ListLoanEventsResponse();
        response.Events.AddRange(page.Events.Select(e => new Contracts.V1.AuditEvent
        {
            Id = e.Id,
            Subject = LoanMapping.Name(e.SubjectId),
            Action = e.Action,
            ActorInstitution = ResourceNames.Institution.Format(e.ActorInstitution),
            ActorRole = e.ActorRole,
            OccurredTime = e.OccurredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            BusinessDate = LoanMapping.Date(e.BusinessDate),
            RequestId = e.RequestId ?? "",
            BeforeState = StateOf(e.BeforeJson),
            AfterState = StateOf(e.AfterJson),
            DetailJson = e.DetailJson ?? "",
        }));
        if (page.NextAfterId is { } next)
        {
            response.NextPageToken = Paging.Encode(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    /// <summary>The business date of "now" in China Standard Time, from the injected clock (<see cref="BusinessDates"/>).</summary>
    private DateOnly Today() => BusinessDates.Today(clock);

    /// <summary>
    /// Date order (<see cref="LoanDates"/>): <paramref name="date"/> of <paramref name="kind"/> against the
    /// loan's earlier business dates and today; INVALID_ARGUMENT naming the field otherwise (nothing changed).
    /// </summary>
    private void CheckDate(LoanRecord record, LoanDateEvent kind, string field, DateOnly date) =>
        LoanDateChecks.ThrowIfAny(LoanDates.Check(kind, field, date, LoanDateFacts.Of(record.Data, record.ApplicationDate), Today()));

    /// <summary>
    /// One loan write: lock the row, check who may act and the etag, let the aggregate decide,
    /// store the new state and an audit event. A refusal becomes FAILED_PRECONDITION with its reason.
    /// </summary>
    private Task<ProtoLoan> ChangeAsync(ServerCallContext context, ILoanWriteRequest request, string action,
        Func<LoanChange, Task<Result<Unit>>> decide, bool etagRequired = true,
        Func<LoanRecord, IReadOnlyList<string>>? failedRules = null, string? guaranteeFundId = null, DateOnly? businessDate = null,
        Func<object>? auditDetail = null) =>
        ChangeAsync(context, request, action, decide, etagRequired, failedRules, guaranteeFundId, businessDate, reply: loan => loan, auditDetail);

    /// <param name="reply">Shapes the stored reply from the saved loan, inside the transaction, so a replay returns all of it.</param>
    private async Task<TReply> ChangeAsync<TReply>(ServerCallContext context, ILoanWriteRequest request, string action,
        Func<LoanChange, Task<Result<Unit>>> decide, bool etagRequired,
        Func<LoanRecord, IReadOnlyList<string>>? failedRules, string? guaranteeFundId, DateOnly? businessDate,
        Func<ProtoLoan, TReply> reply, Func<object>? auditDetail = null, bool grouped = false)
        where TReply : Google.Protobuf.IMessage<TReply>, new()
    {
        var id = LoanAccess.IdOf(request.Name);
        // The repayments kept with the loan's latest snapshot: read again only if the locked loan is at another version.
        var latest = snapshots.Latest(id);
        LoanSnapshot? written = null;
        var result = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            written = null; // an attempt that did not commit (retried, or replayed) keeps nothing
            // Load: the loan locked (not decoded when kept at its version), its repayments (likewise), what the ledger holds guaranteed
            // for it, and then, under the lock, whether this request id was used before, in one round trip.
            var loans = scope.Session.Loans;
            var (found, loaded, guaranteed, _) = await scope.Session.ReadAsync(
                loans.Find(id, forUpdate: true, known: latest?.Record), loans.RepaymentsUnlessVersion(id, latest?.Version ?? -1),
                Data.Fund.FundAccounts.GuaranteedOutstandingOf(id), scope.RequestCheck);
            var record = LoanAccess.Visible(scope.Caller, found, request.Name);
            // A copy: the decision adds to it, and a kept list is never changed.
            var repayments = latest is not null && record.Version == latest.Version ? latest.Repayments.ToList() : loaded;
            LoanAccess.CheckEtag(record, request.Etag, etagRequired);
            var loan = DomainLoan.Rehydrate(record.Data);
            var before = loan.State;
            var decision = await decide(new LoanChange(scope, record, loan, repayments, guaranteed));
            if (!decision.IsOk)
            {
                throw decision.Refusal.ToRpc();
            }
            // Persist: queued, and sent with the stored reply as one batch before COMMIT.
            var rules = failedRules?.Invoke(record) ?? record.FailedRules;
            loans.Update(loan.Data, record.Version, guaranteeFundId, rules, scope.Now,
                () => RpcErrors.Aborted("CONCURRENT_UPDATE", $"loans/{id} was changed by another request; read it again and retry"));
            await scope.AuditAsync(SubjectType, id, action, before.ToCode(), loan.State.ToCode(), auditDetail?.Invoke() ?? AuditDetail(loan.Data), businessDate);
            var saved = record with { Data = loan.Data, Version = record.Version + 1, UpdatedAt = scope.Now, FailedRules = rules, GuaranteeFundId = guaranteeFundId ?? record.GuaranteeFundId };
            var policy = await reference.GetAsync(scope.CancellationToken);
            var today = Today();
            var mapped = LoanMapping.ToProto(saved, policy.Resolver, today, repayments, policy.Calendar);
            written = new LoanSnapshot(saved, repayments, mapped, today, policy);
            return reply(mapped);
        }, checkAfterLock: true, groupKey: grouped ? id : null);
        // Kept only once committed (a version that rolled back may be written again with other content).
        if (written is not null)
        {
            snapshots.Keep(written);
        }
        return result;
    }

    private static object AuditDetail(LoanData d) => new
    {
        outstanding_principal_fen = d.OutstandingPrincipal.Fen,
        rejection_reason = d.RejectionReason,
        policy_versions = d.PolicyVersionIds,
    };

    private static RpcException Refused(Assessment assessment)
    {
        var info = RefusalStatus.ErrorInfoOf(assessment.Refusals[0]);
        info.Metadata["failed_rules"] = string.Join(",", assessment.Refusals.Select(r => r.Code));
        var message = string.Join("; ", assessment.Refusals.Select(r => $"{r.Code}: {r.Message}"));
        return RpcErrors.Build(StatusCode.FailedPrecondition, message, info);
    }

    private static LoanCursor? ParseCursor(string cursor)
    {
        if (cursor.Length == 0)
        {
            return null;
        }
        var bar = cursor.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !long.TryParse(cursor[..bar], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks))
        {
            throw RpcErrors.InvalidArgument("page_token is not a token this service issued", ("page_token", "pass back next_page_token unchanged"));
        }
        return new LoanCursor(new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(bar + 1)..]);
    }

    private static string StateOf(string? json)
    {
        if (json is null)
        {
            return "";
        }
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("state", out var state) ? state.GetString() ?? "" : "";
    }
}
