using Danbao.Contracts.V1;
using SubsidyClaim = Danbao.Contracts.V1.SubsidyClaim;
using SubsidyClaimLine = Danbao.Contracts.V1.SubsidyClaimLine;
using Danbao.Data;
using Danbao.Data.Accounting;
using Danbao.Data.Loans;
using Danbao.Data.Subsidy;
using Danbao.Data.Sessions;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Interest;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Reference;
using Danbao.Server.Resources;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;
using Google.Rpc;
using Npgsql;
using Danbao.Domain.Results;
using DomainLoan = Danbao.Domain.Loans.Loan;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.SubsidyService: subsidy explanations and quarterly claims (policy.md §5). Lines are
/// recomputed in bulk: a batch's loans and repayments are read in two queries, judged in memory by
/// <see cref="ClaimLineCheck"/>, and written by COPY; review and settlement are set-based statements
/// and settlement posts ONE ledger transaction per claim with a line per loan.
/// </summary>
public sealed partial class SubsidyHandler(Database database, ReadSession reads, WriteRunner writes, ReferenceDataCache reference, TimeProvider clock,
    SubsidyStreamLimits streamLimits) : SubsidyService.SubsidyServiceBase
{
    private const string SubjectType = "subsidy_claim";

    /// <summary>Up to this many lines per call, the reply echoes every line; above, only lines not MATCHES.</summary>
    public const int LinesEchoedMax = 1_000;

    /// <summary>Batches of a stream whose lines are kept after they are written, to name the loan of a line the database refuses.</summary>
    private const int WrittenBatchesKept = 4;

    /// <summary>
    /// Batches of a stream whose loads may still run while an earlier batch is judged: a batch's load (its loans and
    /// repayments, on a side connection) was the stream's slowest stage, and with none ahead every step waited for it.
    /// </summary>
    private const int LoadsAhead = 1;

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<SubsidyExplanation> ExplainSubsidy(ExplainSubsidyRequest request, ServerCallContext context)
    {
        var id = LoanAccess.IdOf(request.Loan, "loan");
        var errors = new FieldErrors();
        var start = errors.Date("start_date", request.StartDate);
        var end = errors.Date("end_date", request.EndDate);
        if (start is { } s && end is { } e && e <= s)
        {
            errors.Add("end_date", "must be after start_date (the period is [start_date, end_date))");
        }
        errors.ThrowIfAny();
        var ct = context.CancellationToken;
        var session = await reads.GetAsync(ct);
        var record = LoanAccess.Visible(context.Caller(), await session.Loans.FindAsync(id, false), request.Loan);
        if (record.Data.DisbursementDate is not { } disbursed)
        {
            throw RpcErrors.FailedPrecondition(SubsidyReasons.LoanNotDisbursed, $"{request.Loan} is not disbursed: no interest, no subsidy");
        }
        var repayments = await session.Subsidy.RepaymentsAsync(id, end!.Value);
        var period = new DateRange(start!.Value, end.Value);
        var loan = DomainLoan.Rehydrate(record.Data);
        var timeline = PrincipalTimeline.FromRepayments(disbursed, record.Data.Amount, repayments.Select(r => (r.PaidOn, r.Principal)));
        var policy = await reference.GetAsync(ct);
        var result = SubsidyCalculator.Calculate(
            new SubsidyRequest(record.Data.Region, timeline, record.Data.ContractRate, record.Data.ContractDate, disbursed, period, loan.SubsidyExclusions(period)),
            policy.Resolver, policy.Lpr);
        if (!result.IsOk)
        {
            throw result.Refusal.ToRpc();
        }
        return SubsidyMapping.ToProto(request.Loan, disbursed, result.Value);
    }

    [Roles(Role.Bank)]
    public override Task<SubsidyClaim> CreateSubsidyClaim(CreateSubsidyClaimRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var quarter = ClaimQuarter.Parse(request.Quarter);
        if (!quarter.IsOk)
        {
            errors.Add("quarter", quarter.Refusal.Message);
        }
        errors.ThrowIfAny();
        var today = Today();
        var window = quarter.Value.CheckFiling(today);
        if (!window.IsOk)
        {
            throw window.Refusal.ToRpc();
        }
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var record = new SubsidyClaimRecord
            {
                Id = ResourceIds.SubsidyClaim(scope.Now),
                BankId = scope.Caller.InstitutionId,
                RegionCode = scope.Caller.RegionCode,
                QuarterStart = quarter.Value.Start,
                State = "DRAFT",
                FiledDate = today,
                CreatedAt = scope.Now,
            };
            scope.Session.Subsidy.InsertClaim(record);
            await scope.AuditAsync(SubjectType, record.Id, "subsidy_claim.created", null, "DRAFT", new { quarter = request.Quarter }, today);
            return SubsidyMapping.ToProto(record);
        });
    }

    [Roles(Role.Bank)]
    public override Task<AddSubsidyClaimLinesResponse> AddSubsidyClaimLines(AddSubsidyClaimLinesRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Claim, "claim");
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        if (request.Lines.Count is 0 or > SubsidyStore.LinesPerBatchMax)
        {
            errors.Add("lines", $"between 1 and {SubsidyStore.LinesPerBatchMax} lines per call; call again for more");
        }
        var inputs = new List<ClaimLineRequest>(request.Lines.Count);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < request.Lines.Count && !errors.Any; i++)
        {
            if (ClaimLineRequest.Validate(errors, i, request.Lines[i], seen) is { } input)
            {
                inputs.Add(input);
            }
        }
        if (!errors.Any)
        {
            errors.SumFen("lines.interest_paid_fen", request.Lines.Select(l => l.InterestPaidFen));
            errors.SumFen("lines.subsidy_claimed_fen", request.Lines.Select(l => l.SubsidyClaimedFen));
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Claim);
            var keys = inputs.Select(l => (l.Input.LoanId, (l.Quarter ?? record.Quarter).Start)).ToArray();
            // Lines of this claim already filed for these keys: the aggregate refuses them again.
            var (filed, _, _) = await store.LinesWithRecordsAsync(claimId, keys);
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, filed, [], []));
            var facts = await LoadFactsAsync(store, record, inputs);
            if (facts.OwnKeys(record, inputs) is { Length: > 0 } own && await store.LiveLinesAsync(own) is { Count: > 0 } existing)
            {
                throw LineExists(record.Quarter, existing);
            }
            // A small call gets every line back; a large one only the lines that need attention (the
            // reply is also stored for retries): the rest are read with ListSubsidyClaimLines.
            var rows = new ClaimLineCopyRows();
            var (shown, added) = Judge(record, claim, inputs, 0, facts, await reference.GetAsync(ct), Today(), rows,
                r => inputs.Count <= LinesEchoedMax || r.Flag != "MATCHES");
            try
            {
                await store.InsertLinesAsync(rows);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A concurrent filing of the same loan and quarter got there first: the index decides.
                throw LineExists(record.Quarter, []);
            }
            var batch = Domain.Subsidy.SubsidyClaimSummary.Of(added, [], []);
            var saved = await store.WriteSummaryAsync(claimId, batch, add: true, null);
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.lines_added", record.State, saved.State,
                new { lines = added.Count, lines_late = batch.LinesLate, claimed_subsidy_fen = batch.All.Claimed.Fen, expected_subsidy_fen = batch.All.Expected.Fen });
            var reply = new AddSubsidyClaimLinesResponse { Claim = SubsidyMapping.ToProto(saved) };
            reply.Lines.AddRange(shown.Select(SubsidyMapping.ToProto));
            return reply;
        }, claimWithLoad: true);
    }

    /// <summary>Batches from this size are judged in parallel.</summary>
    private const int ParallelJudgeLinesMin = 512;

    /// <summary>What a batch of lines is judged on: its loans, and the repayments of the bank's own among them.</summary>
    private sealed record BatchFacts(Dictionary<string, SubsidyLoanFacts> Loans, Dictionary<string, List<RecordedRepayment>> Repayments)
    {
        /// <summary>
        /// The keys of <paramref name="inputs"/> that are the claim's bank's own loans: a unary call asks which already have a
        /// live line before it writes (a stream leaves that to the database's key as its COPY ends).
        /// </summary>
        public (string LoanId, DateOnly QuarterStart)[] OwnKeys(SubsidyClaimRecord record, IReadOnlyList<ClaimLineRequest> inputs) =>
            inputs.Where(l => Loans.TryGetValue(l.Input.LoanId, out var f) && f.BankId == record.BankId)
                .Select(l => (l.Input.LoanId, (l.Quarter ?? record.Quarter).Start)).ToArray();
    }

    /// <summary>The batch's loans, then the repayments of the bank's own among them.</summary>
    private static async Task<BatchFacts> LoadFactsAsync(SubsidyStore store, SubsidyClaimRecord record, IReadOnlyList<ClaimLineRequest> inputs)
    {
        var distinct = new HashSet<string>(inputs.Count, StringComparer.Ordinal);
        foreach (var line in inputs)
        {
            distinct.Add(line.Input.LoanId);
        }
        var ids = distinct.ToArray();
        // Only this bank's own loans are looked into further (their repayments are read for them alone): another
        // bank's loan gets the same NOT_PAYABLE answer whether or not it was claimed (or exists).
        var (loans, repayments) = await store.LoadBatchAsync(ids, record.BankId, record.Quarter.End);
        return new BatchFacts(loans, repayments);
    }

    /// <summary>
    /// Recomputes each line of a batch (ClaimLineCheck, the verdict that decides what can be paid), adds it through the
    /// aggregate and encodes its row into <paramref name="rows"/>; returns the lines added and the rows
    /// <paramref name="keep"/> wants (those the reply shows). <paramref name="firstIndex"/> numbers the lines in refusals (lines[i]).
    /// </summary>
    private static (List<SubsidyClaimLineRecord> Kept, List<Domain.Subsidy.SubsidyClaimLine> Added) Judge(SubsidyClaimRecord record,
        Domain.Subsidy.SubsidyClaim claim, IReadOnlyList<ClaimLineRequest> inputs, int firstIndex, BatchFacts facts, Data.Policy.PolicyReferenceData policy,
        DateOnly today, ClaimLineCopyRows rows, Func<SubsidyClaimLineRecord, bool> keep, bool parallel = true)
    {
        // Each verdict is a pure function of the line and its loan's facts: a large batch is judged on every core.
        var verdicts = new ClaimLineVerdict[inputs.Count];
        void Check(int i)
        {
            var (input, lineQuarter, _) = inputs[i];
            var quarter = lineQuarter ?? record.Quarter;
            var loan = facts.Loans.GetValueOrDefault(input.LoanId);
            var mine = loan is not null && loan.BankId == record.BankId;
            // The check counts only the repayments paid before the line's quarter ends.
            IReadOnlyList<RecordedRepayment> repayments = mine ? facts.Repayments.GetValueOrDefault(input.LoanId) ?? [] : [];
            verdicts[i] = ClaimLineCheck.Check(record.BankId, quarter, input, mine ? DomainLoan.Rehydrate(loan!.Data) : null, mine ? loan!.BankId : null,
                repayments, policy.Resolver, policy.Lpr);
        }
        if (parallel && inputs.Count >= ParallelJudgeLinesMin)
        {
            Parallel.For(0, inputs.Count, Check);
        }
        else
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                Check(i);
            }
        }
        var kept = new List<SubsidyClaimLineRecord>();
        var added = new List<Domain.Subsidy.SubsidyClaimLine>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (input, lineQuarter, lateReason) = inputs[i];
            var line = claim.AddLine(input, lineQuarter ?? record.Quarter, verdicts[i], today, lateReason);
            if (!line.IsOk)
            {
                throw LineRefused(line.Refusal, firstIndex + i, record.Quarter);
            }
            added.Add(line.Value);
            var row = SubsidyClaimRows.ToRecord(record.Id, record.BankId, line.Value, facts.Loans.GetValueOrDefault(input.LoanId));
            rows.Add(row);
            if (keep(row))
            {
                kept.Add(row);
            }
        }
        return (kept, added);
    }

    [Roles(Role.Bank)]
    public override Task<SubsidyClaim> SubmitSubsidyClaim(SubmitSubsidyClaimRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Name);
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Name);
            CheckEtag(record, request.Etag);
            // Submission only asks whether the claim has a line: one is enough to load.
            var first = await store.ListLinesAsync(claimId, null, null, 1);
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, first, [], []));
            var submitted = claim.Submit();
            if (!submitted.IsOk)
            {
                throw submitted.Refusal.ToRpc();
            }
            var saved = await store.WriteSummaryAsync(claimId, NoChange, add: true,
                new ClaimStateChange(Domain.Subsidy.SubsidyClaimStates.ToCode(claim.State)));
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.submitted", record.State, saved.State,
                new { lines = saved.LineCount, claimed_subsidy_fen = saved.ClaimedSubsidyFen });
            return SubsidyMapping.ToProto(saved);
        }, claimWithLoad: true);
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<SubsidyClaim> GetSubsidyClaim(GetSubsidyClaimRequest request, ServerCallContext context)
    {
        var id = SubsidyMapping.IdOf(request.Name);
        var session = await reads.GetAsync(context.CancellationToken);
        return SubsidyMapping.ToProto(Visible(context.Caller(), await session.Subsidy.FindClaimAsync(id, false), request.Name));
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListSubsidyClaimsResponse> ListSubsidyClaims(ListSubsidyClaimsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = Paging.PageSize(request.PageSize);
        var cursor = Paging.Decode(request.PageToken);
        DateOnly? quarter = null;
        if (request.Quarter.Length > 0)
        {
            var q = ClaimQuarter.Parse(request.Quarter);
            quarter = q.IsOk ? q.Value.Start : throw RpcErrors.InvalidArgument(q.Refusal.Message, ("quarter", "a quarter like 2025-Q3"));
        }
        (DateTimeOffset, string)? after = null;
        if (cursor.Length > 0)
        {
            var bar = cursor.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !long.TryParse(cursor[..bar], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks))
            {
                throw RpcErrors.InvalidArgument("page_token is not a token this service issued", ("page_token", "pass back next_page_token unchanged"));
            }
            after = (new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(bar + 1)..]);
        }
        var session = await reads.GetAsync(context.CancellationToken);
        // A bank lists only its own claims, whatever it asks; regional bodies their region; admin all.
        var visible = AccessPolicy.ScopeOf(caller, byFund: false);
        var rows = await session.Subsidy.ListClaimsAsync(visible.BankId, visible.RegionWithin, quarter, after, size + 1);
        var reply = new ListSubsidyClaimsResponse();
        reply.Claims.AddRange(rows.Take(size).Select(SubsidyMapping.ToProto));
        if (rows.Count > size)
        {
            var last = rows[size - 1];
            reply.NextPageToken = Paging.Encode($"{last.CreatedAt.UtcTicks}|{last.Id}");
        }
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListSubsidyClaimLinesResponse> ListSubsidyClaimLines(ListSubsidyClaimLinesRequest request, ServerCallContext context)
    {
        var id = SubsidyMapping.IdOf(request.Claim, "claim");
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        var ct = context.CancellationToken;
        var session = await reads.GetAsync(ct);
        var claim = Visible(context.Caller(), await session.Subsidy.FindClaimAsync(id, false), request.Claim);
        var rows = await session.Subsidy.ListLinesAsync(id, after.Length > 0 ? after : null, null, size + 1);
        var reply = new ListSubsidyClaimLinesResponse();
        // Each line as the claim has decided it: lines its approved rest covers read APPROVED though their rows are
        // PENDING, and a settled claim's approved lines PAID.
        reply.Lines.AddRange(SubsidyClaimRows.Effective(claim, rows.Take(size)).Select(SubsidyMapping.ToProto));
        if (rows.Count > size)
        {
            reply.NextPageToken = Paging.Encode(rows[size - 1].LoanId);
        }
        return reply;
    }

    private DateOnly Today() => BusinessDates.Today(clock);

    /// <summary>The claim, if the caller may see it (<see cref="AccessPolicy"/>); NOT_FOUND otherwise.</summary>
    private static SubsidyClaimRecord Visible(Identity.Caller caller, SubsidyClaimRecord? claim, string name) =>
        claim is not null && AccessPolicy.CanSee(caller, claim) ? claim : throw ResourceNames.SubsidyClaim.NotFound(name, caller.InstitutionId);

    /// <summary>Every claim step re-derives its outcome from the claim as locked: the etag is checked when given.</summary>
    private static void CheckEtag(SubsidyClaimRecord claim, string etag) =>
        Etags.Check(SubsidyMapping.Name(claim.Id), claim.Version, etag, EtagUse.IfGiven);

    private static RpcException LineExists(ClaimQuarter quarter, IReadOnlyList<string> loanIds, int? line = null)
    {
        var info = new ErrorInfo { Reason = SubsidyReasons.LineExists, Domain = RpcErrors.Domain };
        info.Metadata["quarter"] = quarter.ToString();
        if (loanIds.Count > 0)
        {
            info.Metadata["loans"] = string.Join(",", loanIds.Take(20).Select(ResourceNames.Loan.Format));
        }
        var message = loanIds.Count > 0
            ? $"a claim line for {quarter} already exists for {string.Join(", ", loanIds.Take(5).Select(ResourceNames.Loan.Format))}{(loanIds.Count > 5 ? " and others" : "")}; a loan's quarter is claimed once (a rejected line may be filed again)"
            : $"a claim line for {quarter} already exists for a loan of this call";
        if (line is not { } at)
        {
            return RpcErrors.Build(StatusCode.AlreadyExists, message, info);
        }
        // A stream's refusal names the line (the stream is not kept: its loan is named only if its batch is still held).
        var field = ClaimLineRequest.Field(at);
        info.Metadata["line"] = field;
        return RpcErrors.Build(StatusCode.AlreadyExists, $"{field}: {message}", info,
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = "this loan's quarter is already claimed, in this stream or a live line" } } });
    }

    /// <summary>Counters unchanged (a state change only).</summary>
    private static readonly Domain.Subsidy.SubsidyClaimSummary NoChange = Domain.Subsidy.SubsidyClaimSummary.Of([], [], []);

    /// <summary>A line the aggregate refused: the caller's input (field violation), a line already filed, or the claim's state.</summary>
    private static RpcException LineRefused(Refusal refusal, int index, ClaimQuarter claimQuarter) => refusal.Code switch
    {
        SubsidyReasons.LateReasonRequired => RpcErrors.InvalidArgument(refusal.Message, ($"lines[{index}].late_reason", refusal.Message)),
        SubsidyReasons.LineQuarterAfterClaim => RpcErrors.InvalidArgument(refusal.Message, ($"lines[{index}].quarter", refusal.Message)),
        ReasonCodes.AmountNotPositive => RpcErrors.InvalidArgument(refusal.Message, ($"lines[{index}]", refusal.Message)),
        SubsidyReasons.LineExists => LineExists(claimQuarter, []),
        _ => refusal.ToRpc(),
    };
}
