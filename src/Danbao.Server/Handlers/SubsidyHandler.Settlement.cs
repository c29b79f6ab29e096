using System.Globalization;
using System.Text;
using Danbao.Contracts.V1;
using Danbao.Data.Accounting;
using Danbao.Data.Subsidy;
using Danbao.Domain;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;

namespace Danbao.Server.Handlers;

public sealed partial class SubsidyHandler
{
    /// <summary>Largest CSV chunk of an export stream.</summary>
    public const int CsvChunkBytesMax = 64 * 1024;

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
        var decisions = new List<(string LoanId, bool Approve, string Reason)>(request.Lines.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Lines.Count && !errors.Any; i++)
        {
            var line = request.Lines[i];
            if (!line.Loan.StartsWith("loans/", StringComparison.Ordinal) || !seen.Add(line.Loan))
            {
                errors.Add($"lines[{i}].loan", "a loan resource name, loans/{loan_id}, once per call");
                continue;
            }
            if (!line.Approve)
            {
                errors.Text($"lines[{i}].reason", line.Reason, lengthMax: 500);
            }
            decisions.Add((line.Loan["loans/".Length..], line.Approve, line.Reason));
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var claim = Visible(scope.Caller, await SubsidyStore.FindClaimAsync(scope.Connection, scope.Transaction, claimId, true, ct), request.Name);
            CheckEtag(claim, request.Etag);
            if (claim.State != "SUBMITTED")
            {
                throw RpcErrors.FailedPrecondition(SubsidyReasons.ClaimNotSubmitted, $"{request.Name} is {claim.State}; only a SUBMITTED claim is reviewed");
            }
            var named = decisions.Select(d => d.LoanId).ToArray();
            var lines = named.Length == 0 ? [] : await SubsidyStore.ListLinesAsync(scope.Connection, scope.Transaction, claimId, null, named, named.Length, ct);
            var unknown = named.Except(lines.Select(l => l.LoanId), StringComparer.Ordinal).ToArray();
            if (unknown.Length > 0)
            {
                throw RpcErrors.InvalidArgument($"{request.Name} has no line for {string.Join(", ", unknown.Take(5).Select(id => "loans/" + id))}",
                    ("lines", "name only loans that have a line in this claim"));
            }
            var approvedNotPayable = lines.Where(l => l.Flag == "NOT_PAYABLE" && decisions.Any(d => d.Approve && d.LoanId == l.LoanId)).ToArray();
            if (approvedNotPayable.Length > 0)
            {
                throw RpcErrors.FailedPrecondition(SubsidyReasons.NotPayableLine,
                    $"lines for {string.Join(", ", approvedNotPayable.Take(5).Select(l => "loans/" + l.LoanId))} are NOT_PAYABLE ({approvedNotPayable[0].NotPayableReason}) and cannot be approved");
            }
            await SubsidyStore.ReviewAsync(scope.Connection, scope.Transaction, claimId, decisions, request.ApproveAll, ct);
            var saved = await SubsidyStore.RefreshClaimAsync(scope.Connection, scope.Transaction, claimId, "REVIEWED", null, null, ct);
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.reviewed", claim.State, saved.State,
                new { approve_all = request.ApproveAll, lines_approved = saved.LinesApproved, lines_rejected = saved.LinesRejected, approved_subsidy_fen = saved.ApprovedSubsidyFen });
            return SubsidyMapping.ToProto(saved);
        });
    }

    [Roles(Role.FinanceBureau)]
    public override Task<SubsidyClaim> SettleSubsidyClaim(SettleSubsidyClaimRequest request, ServerCallContext context)
    {
        var claimId = SubsidyMapping.IdOf(request.Name);
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = errors.Date("business_date", request.BusinessDate);
        if (on > Today())
        {
            errors.Add("business_date", $"must not be after today ({Today():yyyy-MM-dd} CST)");
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var claim = Visible(scope.Caller, await SubsidyStore.FindClaimAsync(scope.Connection, scope.Transaction, claimId, true, ct), request.Name);
            CheckEtag(claim, request.Etag);
            if (claim.State != "REVIEWED")
            {
                throw RpcErrors.FailedPrecondition(SubsidyReasons.ClaimNotReviewed, $"{request.Name} is {claim.State}; only a REVIEWED claim is settled");
            }
            var paid = await SubsidyStore.MarkPaidAsync(scope.Connection, scope.Transaction, claimId, ct);
            var lines = paid.Where(l => l.AmountFen > 0).ToList();
            var totalFen = lines.Sum(l => l.AmountFen);
            long? transactionId = null;
            if (totalFen > 0)
            {
                // One payment per bank per claim: finance → bank, with the per-loan statement as ledger lines.
                var expense = $"finance:{scope.Caller.InstitutionId}:subsidy_expense";
                var payable = $"bank:{claim.BankId}:subsidy_payable";
                await ledger.OpenAccountAsync(scope.Connection, scope.Transaction, new LedgerAccount(expense, LedgerAccountType.Expense, scope.Caller.InstitutionId), ct);
                await ledger.OpenAccountAsync(scope.Connection, scope.Transaction, new LedgerAccount(payable, LedgerAccountType.Liability, claim.BankId), ct);
                transactionId = await ledger.PostWithLinesAsync(scope.Connection, scope.Transaction, new LedgerTransactionRequest
                {
                    Kind = "subsidy_settlement",
                    CauseType = SubjectType,
                    CauseId = claimId,
                    RequestId = scope.RequestId,
                    FundingSource = "finance",
                    BusinessDate = on!.Value,
                    Postings = [LedgerPosting.Debit(expense, totalFen), LedgerPosting.Credit(payable, totalFen)],
                }, lines.Select(l => new LedgerLine("loan", l.LoanId, l.AmountFen)), ct);
            }
            else
            {
                throw RpcErrors.FailedPrecondition(SubsidyReasons.NothingApproved, $"{request.Name} has no approved amount to pay");
            }
            var saved = await SubsidyStore.RefreshClaimAsync(scope.Connection, scope.Transaction, claimId, "SETTLED", on, transactionId, ct);
            await scope.AuditAsync(SubjectType, claimId, "subsidy_claim.settled", claim.State, saved.State,
                new { lines_paid = paid.Count, amount_fen = totalFen, ledger_transaction_id = transactionId }, on);
            return SubsidyMapping.ToProto(saved);
        });
    }

    [Roles(Role.FinanceBureau, Role.FundOperator, Role.EmploymentService, Role.Admin)]
    public override async Task<SubsidySettlementReport> GetSubsidySettlementReport(GetSubsidySettlementReportRequest request, ServerCallContext context)
    {
        var (region, quarter) = ReportScope(request, context.Caller());
        var report = new SubsidySettlementReport { Region = region, Quarter = quarter.ToString() };
        var byBank = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        var byDistrict = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        var byFormula = new SortedDictionary<string, SubsidyReportTotal>(StringComparer.Ordinal);
        await using var conn = await database.DataSource.OpenConnectionAsync(context.CancellationToken);
        await foreach (var row in SubsidyStore.ReportRowsAsync(conn, region, quarter.Start, context.CancellationToken))
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
        await using var conn = await database.DataSource.OpenConnectionAsync(context.CancellationToken);
        await foreach (var r in SubsidyStore.ReportRowsAsync(conn, region, quarter.Start, context.CancellationToken))
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
        if (!caller.CoversRegion(region))
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
    private static string Csv(string text) => Danbao.Domain.CsvCell.Escape(text);

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
