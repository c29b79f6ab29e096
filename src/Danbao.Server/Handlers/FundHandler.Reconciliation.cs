using System.Text;
using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Fund;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Validation;

namespace Danbao.Server.Handlers;

// Reconciliation (对账) with the banks: period figures from the journal, loan-level statements, CSV export.
public sealed partial class FundHandler
{
    /// <summary>Most lines one uploaded statement may hold.</summary>
    public const int StatementLinesMax = 2_000_000;

    /// <summary>Most breaks listed in the upload's reply; all of them are kept for the CSV export.</summary>
    public const int BreaksListedMax = 1_000;

    private const int CsvChunkBytes = 64 * 1024;

    [Roles(Role.Bank, Role.FundOperator, Role.FinanceBureau, Role.Admin)]
    public override async Task<BankReconciliation> GetBankReconciliation(GetBankReconciliationRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var from = errors.Date("from_date", request.FromDate);
        var to = errors.Date("to_date", request.ToDate);
        if (from is { } f && to is { } t && f > t)
        {
            errors.Add("to_date", "must not be before from_date");
        }
        errors.ThrowIfAny();
        var ct = context.CancellationToken;
        var bank = await VisibleBankAsync(context.Caller(), request.Bank, "bank", ct);
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        var code = FundAccounts.BankGuaranteed(bank.Id);
        var before = await FundStore.MovementsByKindAsync(conn, code, null, from!.Value.AddDays(-1), ct);
        var during = await FundStore.MovementsByKindAsync(conn, code, from, to!.Value, ct);
        var opening = before.Values.Sum(m => m.DebitsFen - m.CreditsFen);
        var issued = during.GetValueOrDefault(GuaranteePostings.IssuedKind).DebitsFen;
        var released = during.Values.Sum(m => m.CreditsFen);
        var (filed, filedBase) = await FundStore.FiledAsync(conn, bank.Id, from.Value, to.Value, ct);
        var claims = await FundStore.ClaimMovementsAsync(conn, bank.Id, from.Value, to.Value, ct);
        return new BankReconciliation
        {
            Bank = "institutions/" + bank.Id,
            FromDate = Date(from),
            ToDate = Date(to),
            OpeningOutstandingFen = opening,
            GuaranteesIssuedFen = issued,
            GuaranteesReleasedFen = released,
            ClosingOutstandingFen = opening + during.Values.Sum(m => m.DebitsFen - m.CreditsFen),
            ClaimsFiled = filed,
            ClaimsFiledBaseFen = filedBase,
            ClaimsPaid = await FundStore.PaidCountAsync(conn, bank.Id, from.Value, to.Value, ct),
            ClaimsPaidFundFen = claims.FundDebits(ClaimPostings.CompensationKind),
            RecoveriesFundFen = claims.FundCredits(ClaimPostings.RecoveryKind),
            RecoveriesBankFen = claims.BankCredits(ClaimPostings.RecoveryKind),
            WriteOffsFundFen = claims.FundCredits(ClaimPostings.WriteOffKind),
            WriteOffsBankFen = claims.BankCredits(ClaimPostings.WriteOffKind),
        };
    }

    [Roles(Role.Bank)]
    public override async Task<StatementComparison> UploadBankStatement(IAsyncStreamReader<UploadBankStatementRequest> requests, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;
        DateOnly? asOf = null;
        var theirs = new Dictionary<string, long>(StringComparer.Ordinal);
        var received = 0;
        var statementTotalFen = 0L;
        while (await requests.MoveNext(ct))
        {
            var message = requests.Current;
            if (asOf is null)
            {
                var errors = new FieldErrors();
                var date = errors.Date("as_of_date", message.AsOfDate);
                if (date > Today())
                {
                    errors.Add("as_of_date", "must not be after today");
                }
                errors.ThrowIfAny();
                asOf = date;
            }
            foreach (var line in message.Lines)
            {
                if (++received > StatementLinesMax)
                {
                    throw RpcErrors.ResourceExhausted("STATEMENT_TOO_LARGE", $"a statement holds at most {StatementLinesMax} lines");
                }
                var loanId = LoanAccess.IdOf(line.Loan, $"lines[{received - 1}].loan");
                if (line.OutstandingFen < 0)
                {
                    throw RpcErrors.InvalidArgument("outstanding_fen cannot be negative", ($"lines[{received - 1}].outstanding_fen", "≥ 0"));
                }
                if (!theirs.TryAdd(loanId, line.OutstandingFen))
                {
                    throw RpcErrors.InvalidArgument($"{line.Loan} appears twice in the statement", ($"lines[{received - 1}].loan", "each loan once"));
                }
                if (long.MaxValue - statementTotalFen < line.OutstandingFen)
                {
                    // The statement's total is stored: a sum past 64 bits answered INTERNAL (issue 14).
                    throw RpcErrors.InvalidArgument("the statement's amounts add up to more than a 64-bit fen total",
                        ($"lines[{received - 1}].outstanding_fen", "the lines' total must fit in 64 bits of fen"));
                }
                statementTotalFen += line.OutstandingFen;
            }
        }
        if (asOf is null)
        {
            throw RpcErrors.InvalidArgument("the statement is empty: send as_of_date in the first message", ("as_of_date", "required"));
        }
        var result = await database.InTransactionAsync(async (conn, tx, txCt) =>
        {
            var ours = await FundStore.GuaranteedByLoanAsync(conn, caller.InstitutionId, asOf.Value, txCt);
            var breaks = Reconciliation.Compare(ours, theirs);
            var statement = new StatementRecord(
                "S" + LoanIds.New(clock.GetUtcNow())[1..], caller.InstitutionId, asOf.Value, received,
                theirs.Count(kv => ours.GetValueOrDefault(kv.Key) == kv.Value && (kv.Value != 0)), breaks.Count,
                ours.Values.Sum(), theirs.Values.Sum());
            await FundStore.InsertStatementAsync(conn, tx, statement, breaks, txCt);
            return (statement, breaks);
        }, ct);
        var reply = new StatementComparison
        {
            Name = "statements/" + result.statement.Id,
            Bank = "institutions/" + caller.InstitutionId,
            AsOfDate = Date(asOf),
            LinesReceived = received,
            LoansMatched = result.statement.LoansMatched,
            BreaksCount = result.breaks.Count,
            OursTotalFen = result.statement.OursTotalFen,
            TheirsTotalFen = result.statement.TheirsTotalFen,
            BreaksTruncated = result.breaks.Count > BreaksListedMax,
        };
        reply.Breaks.AddRange(result.breaks.Take(BreaksListedMax).Select(ToProto));
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.Admin)]
    public override async Task ExportStatementBreaks(ExportStatementBreaksRequest request, IServerStreamWriter<BreaksCsvChunk> responses, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;
        if (!request.Name.StartsWith("statements/", StringComparison.Ordinal) || request.Name.Length > 60)
        {
            throw RpcErrors.InvalidArgument("name must be a statement name like statements/S…", ("name", "statements/{statement_id}"));
        }
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        var statement = await FundStore.FindStatementAsync(conn, request.Name["statements/".Length..], ct);
        var visible = statement is not null && caller.Role switch
        {
            Role.Bank => statement.BankId == caller.InstitutionId,
            Role.Admin => true,
            _ => await FindInstitutionAsync(statement.BankId, ct) is { } bank && caller.CoversRegion(bank.Region),
        };
        if (!visible)
        {
            throw RpcErrors.NotFound("danbao.v1.Statement", request.Name, $"{request.Name} does not exist or is not visible to {caller.InstitutionId}");
        }
        var csv = new StringBuilder("loan,kind,ours_fen,theirs_fen\n");
        await foreach (var b in FundStore.BreaksAsync(conn, statement!.Id, ct))
        {
            csv.Append("loans/").Append(b.LoanId).Append(',').Append(b.Kind).Append(',')
                .Append(b.OursFen.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(b.TheirsFen.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            if (csv.Length >= CsvChunkBytes)
            {
                await responses.WriteAsync(new BreaksCsvChunk { Data = Google.Protobuf.ByteString.CopyFromUtf8(csv.ToString()) });
                csv.Clear();
            }
        }
        if (csv.Length > 0)
        {
            await responses.WriteAsync(new BreaksCsvChunk { Data = Google.Protobuf.ByteString.CopyFromUtf8(csv.ToString()) });
        }
    }

    private static StatementBreak ToProto(StatementBreakRecord b) => new()
    {
        Loan = LoanMapping.Name(b.LoanId),
        Kind = b.Kind switch
        {
            "MISSING_HERE" => BreakKind.MissingHere,
            "MISSING_THERE" => BreakKind.MissingThere,
            _ => BreakKind.AmountDiffers,
        },
        OursFen = b.OursFen,
        TheirsFen = b.TheirsFen,
    };
}
