using System.Globalization;
using System.Text;
using Danbao.Contracts.V1;
using SubsidyClaim = Danbao.Contracts.V1.SubsidyClaim;
using SubsidyClawback = Danbao.Contracts.V1.SubsidyClawback;
using SubsidyLineReview = Danbao.Contracts.V1.SubsidyLineReview;
using SubsidyPassThrough = Danbao.Contracts.V1.SubsidyPassThrough;
using Danbao.Data.Subsidy;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Text;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Resources;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;

namespace Danbao.Server.Handlers;

public sealed partial class SubsidyHandler
{
    /// <summary>Largest CSV chunk of an export stream.</summary>
    public const int CsvChunkBytesMax = 64 * 1024;

    /// <summary>Most pass-through lines one call may record (each is its own ledger transaction).</summary>
    public const int PassThroughLinesMax = 1_000;

    [Roles(Role.FinanceBureau)]
    public override Task<SubsidyClaim> ReviewSubsidyClaim(ReviewSubsidyClaimRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Name);
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        if (request.Lines.Count > SubsidyStore.LinesPerBatchMax)
        {
            errors.Add("lines", $"at most {SubsidyStore.LinesPerBatchMax} line decisions per call");
        }
        var decisions = new List<(string LoanId, ClaimQuarter? Quarter, bool Approve, string? Reason)>(request.Lines.Count);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < request.Lines.Count && !errors.Any; i++)
        {
            var line = request.Lines[i];
            if (!ResourceNames.Loan.TryParse(line.Loan, out var loanId) || !seen.Add((line.Loan, line.Quarter)))
            {
                errors.Add($"lines[{i}].loan", ResourceNames.Loan.Shape + ", once per call");
                continue;
            }
            var quarter = OptionalQuarter(errors, $"lines[{i}].quarter", line.Quarter);
            string? reason = null;
            if (!line.Approve)
            {
                reason = errors.Text($"lines[{i}].reason", line.Reason, lengthMax: Domain.Subsidy.SubsidyClaim.ReasonLengthMax);
            }
            decisions.Add((loanId, quarter, line.Approve, reason));
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Name);
            CheckEtag(record, request.Etag);
            // The aggregate holds the named lines and the late lines still pending (each must be named). Every other
            // pending line is decided by the review's rule for the rest: an approval is kept on the claim (its rows stay
            // PENDING and read as APPROVED at their payable amount; settlement pays them), a rejection is written.
            var named = decisions.Select(d => (d.LoanId, (d.Quarter ?? record.Quarter).Start)).ToArray();
            var held = await store.ReviewLinesAsync(claimId, named, latePending: record.LinesLatePending > 0);
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, held, [], []));
            var reviews = decisions.Select(d => new Domain.Subsidy.SubsidyLineReview(new Domain.Subsidy.SubsidyLineKey(d.LoanId, d.Quarter ?? record.Quarter), d.Approve, d.Reason)).ToArray();
            var reviewed = claim.ReviewInPlace(reviews, request.ApproveAll);
            if (!reviewed.IsOk)
            {
                throw reviewed.Refusal.Code == SubsidyReasons.LineUnknown
                    ? RpcErrors.InvalidArgument(reviewed.Refusal.Message, ("lines", "name only lines of this claim, each once"))
                    : reviewed.Refusal.ToRpc();
            }
            var before = new Domain.Subsidy.SubsidyClaimSummary.Tally();
            var after = new Domain.Subsidy.SubsidyClaimSummary.Tally();
            var heldByKey = held.ToDictionary(l => (l.LoanId, l.QuarterStart));
            foreach (var line in reviewed.Value.Named)
            {
                before.Add(SubsidyClaimRows.ToLine(heldByKey[(line.LoanId, line.Quarter.Start)]));
                after.Add(line);
            }
            // The rest is counted without reading it: the claim's counters of pending on-time lines, less those just named.
            store.ApplyDecisions(claimId, reviewed.Value.Named.Select(l => SubsidyClaimRows.ToRecord(claimId, record.BankId, l, null)).ToArray());
            var rest = reviewed.Value.Rest;
            var restGroups = SubsidyRestDecision.Left(SubsidyClaimRows.RestGroupsOf(record), after.Build().Minus(before.Build()));
            rest.CountInto(after, restGroups);
            if (!rest.Approve)
            {
                var toReject = restGroups.Sum(g => g.Lines);
                var rejected = await store.RejectRestAsync(claimId, rest.Reason!);
                if (rejected != toReject)
                {
                    throw new InvalidOperationException($"subsidy claim {claimId}: its counters say {toReject} lines to reject, {rejected} rejected");
                }
            }
            var change = after.Build().Minus(before.Build());
            var saved = await store.WriteSummaryAsync(claimId, change, add: true,
                new ClaimStateChange(Domain.Subsidy.SubsidyClaimStates.ToCode(claim.State), RestApproved: rest.Approve));
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.reviewed", record.State, saved.State,
                new { approve_all = request.ApproveAll, lines_approved = saved.LinesApproved, lines_rejected = saved.LinesRejected, approved_subsidy_fen = saved.ApprovedSubsidyFen });
            return SubsidyMapping.ToProto(saved);
        }, claimWithLoad: true);
    }

    [Roles(Role.FinanceBureau)]
    public override Task<SubsidyClaim> SettleSubsidyClaim(SettleSubsidyClaimRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Name);
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = errors.Date("business_date", request.BusinessDate);
        if (on is { } date)
        {
            errors.NotAfterToday("business_date", date, Today());
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Name);
            CheckEtag(record, request.Etag);
            // No line is loaded: the total is the claim's summary, the lines are paid database to database and the
            // ledger refuses at commit if they do not add up to the payment.
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, [], [], []));
            var settled = claim.SettleInPlace(on!.Value, Today(), scope.Caller.InstitutionId, new Money(record.ApprovedSubsidyFen));
            if (!settled.IsOk)
            {
                throw settled.Refusal.ToRpc();
            }
            // One payment per claim: finance → bank, with the per-loan statement as ledger lines.
            var transactionId = await RecipePosting.PostAsync(scope.Session, settled.Value.Posting, scope.RequestId, []);
            var paidLines = await store.PayApprovedLinesAsync(claimId, record.RestApproved, transactionId, settled.Value.LineSubjectType);
            var saved = await store.WriteSummaryAsync(claimId, settled.Value.Change, add: true,
                new ClaimStateChange(Domain.Subsidy.SubsidyClaimStates.ToCode(claim.State), on, scope.Caller.InstitutionId, transactionId));
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.settled", record.State, saved.State,
                new { lines_paid = paidLines, amount_fen = saved.PaidSubsidyFen, ledger_transaction_id = transactionId }, on);
            return SubsidyMapping.ToProto(saved);
        }, claimWithLoad: true);
    }

    [Roles(Role.FinanceBureau)]
    public override Task<SubsidyClawback> ClawBackSubsidyLine(ClawBackSubsidyLineRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Claim, "claim");
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var loanId = LoanField(errors, "loan", request.Loan);
        var quarter = OptionalQuarter(errors, "quarter", request.Quarter);
        var reason = errors.Text("reason", request.Reason, lengthMax: Domain.Subsidy.SubsidyClaim.ReasonLengthMax);
        if (request.AmountFen <= 0)
        {
            errors.Add("amount_fen", "the amount clawed back, more than 0");
        }
        var on = errors.Date("business_date", request.BusinessDate);
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Claim);
            var key = new Domain.Subsidy.SubsidyLineKey(loanId, quarter ?? record.Quarter);
            var (lines, clawbacks, passes) = await store.LinesWithRecordsAsync(claimId, [(key.LoanId, key.Quarter.Start)]);
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, lines, clawbacks, passes));
            var result = claim.ClawBack(key, new Money(request.AmountFen), reason, on!.Value, Today());
            if (!result.IsOk)
            {
                throw result.Refusal.ToRpc();
            }
            var (clawback, posting) = result.Value;
            var transactionId = await RecipePosting.PostAsync(scope.Session, posting, scope.RequestId, []);
            // The claw-back's row is queued and goes with the counters' update, in one round trip.
            store.InsertClawback(new SubsidyClawbackRecord(claimId, key.LoanId, key.Quarter.Start,
                clawback.Amount.Fen, clawback.Reason, clawback.On, scope.Caller.InstitutionId, transactionId));
            var saved = await store.WriteSummaryAsync(claimId, Domain.Subsidy.SubsidyClaimSummary.Of([], [clawback], []), add: true, null);
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.clawed_back", record.State, saved.State,
                new { loan = request.Loan, quarter = key.Quarter.ToString(), amount_fen = clawback.Amount.Fen, reason, ledger_transaction_id = transactionId }, on);
            return new SubsidyClawback
            {
                Claim = request.Claim,
                Loan = ResourceNames.Loan.Format(key.LoanId),
                Quarter = key.Quarter.ToString(),
                AmountFen = clawback.Amount.Fen,
                Reason = clawback.Reason,
                BusinessDate = SubsidyMapping.Date(clawback.On),
                LedgerTransactionId = transactionId,
                ClaimAfter = SubsidyMapping.ToProto(saved),
            };
        });
    }

    [Roles(Role.Bank)]
    public override Task<RecordSubsidyPassThroughResponse> RecordSubsidyPassThrough(RecordSubsidyPassThroughRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Claim, "claim");
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        if (request.Lines.Count is 0 or > PassThroughLinesMax)
        {
            errors.Add("lines", $"between 1 and {PassThroughLinesMax} lines per call");
        }
        var inputs = new List<(string LoanId, ClaimQuarter? Quarter, DateOnly CreditedOn)>(request.Lines.Count);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < request.Lines.Count && !errors.Any; i++)
        {
            var line = request.Lines[i];
            var loanId = LoanField(errors, $"lines[{i}].loan", line.Loan);
            var quarter = OptionalQuarter(errors, $"lines[{i}].quarter", line.Quarter);
            var credited = errors.Date($"lines[{i}].credited_date", line.CreditedDate);
            if (!seen.Add((line.Loan, line.Quarter)))
            {
                errors.Add($"lines[{i}].loan", $"{line.Loan} appears twice in this call");
            }
            if (credited is { } c)
            {
                inputs.Add((loanId, quarter, c));
            }
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var store = scope.Session.Subsidy;
            var record = Visible(scope.Caller, await store.FindClaimAsync(claimId, true), request.Claim);
            var keys = inputs.Select(l => new Domain.Subsidy.SubsidyLineKey(l.LoanId, l.Quarter ?? record.Quarter)).ToArray();
            var (lines, clawbacks, passes) = await store.LinesWithRecordsAsync(claimId, keys.Select(k => (k.LoanId, k.Quarter.Start)).ToArray());
            var claim = Domain.Subsidy.SubsidyClaim.Rehydrate(SubsidyClaimRows.ToData(record, lines, clawbacks, passes));
            var today = Today();
            var rows = new List<SubsidyPassThroughRecord>(inputs.Count);
            var recorded = new List<Domain.Subsidy.SubsidyPassThrough>(inputs.Count);
            for (var i = 0; i < inputs.Count; i++)
            {
                var result = claim.RecordPassThrough(keys[i], inputs[i].CreditedOn, today);
                if (!result.IsOk)
                {
                    throw result.Refusal.ToRpc();
                }
                var (pass, posting) = result.Value;
                var transactionId = await RecipePosting.PostAsync(scope.Session, posting, scope.RequestId, []);
                rows.Add(new SubsidyPassThroughRecord(claimId, pass.Line.LoanId, pass.Line.Quarter.Start, pass.Amount.Fen, pass.CreditedOn, transactionId));
                recorded.Add(pass);
            }
            // The rows are queued and go with the counters' update, in one round trip.
            store.InsertPassThroughs(rows);
            var batch = Domain.Subsidy.SubsidyClaimSummary.Of([], [], recorded);
            var saved = await store.WriteSummaryAsync(claimId, batch, add: true, null);
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.passed_through", record.State, saved.State,
                new { lines = rows.Count, amount_fen = batch.PassedThrough.Fen });
            var reply = new RecordSubsidyPassThroughResponse { Claim = SubsidyMapping.ToProto(saved) };
            reply.Lines.AddRange(rows.Select(r => new SubsidyPassThrough
            {
                Loan = ResourceNames.Loan.Format(r.LoanId),
                Quarter = ClaimQuarter.FromStart(r.QuarterStart).ToString(),
                AmountFen = r.AmountFen,
                CreditedDate = SubsidyMapping.Date(r.CreditedDate),
                LedgerTransactionId = r.LedgerTransactionId,
            }));
            return reply;
        });
    }

    private static ClaimQuarter? OptionalQuarter(FieldErrors errors, string field, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        var q = ClaimQuarter.Parse(text);
        if (!q.IsOk)
        {
            errors.Add(field, q.Refusal.Message);
            return null;
        }
        return q.Value;
    }

    private static string LoanField(FieldErrors errors, string field, string name) => ResourceNames.Loan.Parse(errors, field, name);

    [Roles(Role.FinanceBureau, Role.FundOperator, Role.EmploymentService, Role.Admin)]
    public override async Task<SubsidySettlementReport> GetSubsidySettlementReport(GetSubsidySettlementReportRequest request, ServerCallContext context)
    {
        var (region, quarter) = ReportScope(request, context.Caller());
        var report = new SubsidySettlementReport { Region = region, Quarter = quarter.ToString() };
        var byBank = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        var byDistrict = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        var byFormula = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        var session = await reads.GetAsync(context.CancellationToken);
        await foreach (var row in session.Subsidy.ReportRowsAsync(region, quarter.Start))
        {
            report.Loans++;
            report.InterestFen += row.InterestFen;
            report.SubsidyFen += row.SubsidyFen;
            Add(byBank, row.BankId, row);
            Add(byDistrict, row.District, row);
            Add(byFormula, row.Formula, row);
        }
        report.ByBank.AddRange(byBank.Values);
        report.ByDistrict.AddRange(byDistrict.Values);
        report.ByFormula.AddRange(byFormula.Values);
        return report;
    }

    [Roles(Role.FinanceBureau, Role.FundOperator, Role.EmploymentService, Role.Admin)]
    public override async Task ExportSubsidySettlementReport(GetSubsidySettlementReportRequest request, IServerStreamWriter<CsvChunk> responses, ServerCallContext context)
    {
        var (region, quarter) = ReportScope(request, context.Caller());
        var buffer = new StringBuilder("claim,loan,bank,district,formula,period_start_date,period_end_date,days,excluded_days,interest_fen,subsidy_fen\n");
        var session = await reads.GetAsync(context.CancellationToken);
        await foreach (var r in session.Subsidy.ReportRowsAsync(region, quarter.Start))
        {
            buffer.Append(CultureInfo.InvariantCulture,
                $"{SubsidyMapping.Name(r.ClaimId)},loans/{r.LoanId},{r.BankId},{Csv(r.District)},{r.Formula},{r.PeriodStart:yyyy-MM-dd},{r.PeriodEnd:yyyy-MM-dd},{r.Days},{r.ExcludedDays},{r.InterestFen},{r.SubsidyFen}\n");
            if (buffer.Length >= CsvChunkBytesMax / 4)
            {
                await Flush(buffer, responses);
            }
        }
        await Flush(buffer, responses);
    }

    private (string Region, ClaimQuarter Quarter) ReportScope(GetSubsidySettlementReportRequest request, Identity.Caller caller)
    {
        var quarter = ClaimQuarter.Parse(request.Quarter);
        if (!quarter.IsOk)
        {
            throw RpcErrors.InvalidArgument(quarter.Refusal.Message, ("quarter", "a quarter like 2025-Q3"));
        }
        var region = request.Region.Length > 0 ? request.Region : caller.RegionCode;
        if (!AccessPolicy.CoversRegion(caller, region))
        {
            throw RpcErrors.PermissionDenied("REGION_NOT_COVERED", $"{caller.InstitutionId} may not see region {region}");
        }
        return (region, quarter.Value);
    }

    private static void Add(SortedDictionary<string, SubsidyReportTotal> totals, string key, SubsidyReportRow row)
    {
        if (!totals.TryGetValue(key, out var total))
        {
            totals[key] = total = new SubsidyReportTotal { Key = key };
        }
        total.Loans++;
        total.InterestFen += row.InterestFen;
        total.SubsidyFen += row.SubsidyFen;
    }

    /// <summary>Bank-chosen text as a CSV cell a spreadsheet will not run as a formula (issue 14: a district "=HYPERLINK(…)").</summary>
    private static string Csv(string text) => Danbao.Domain.Text.CsvCell.Escape(text);

    private static async Task Flush(StringBuilder buffer, IServerStreamWriter<CsvChunk> responses)
    {
        if (buffer.Length == 0)
        {
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(buffer.ToString());
        buffer.Clear();
        for (var offset = 0; offset < bytes.Length; offset += CsvChunkBytesMax)
        {
            await responses.WriteAsync(new CsvChunk { Data = Google.Protobuf.ByteString.CopyFrom(bytes, offset, Math.Min(CsvChunkBytesMax, bytes.Length - offset)) });
        }
    }
}
