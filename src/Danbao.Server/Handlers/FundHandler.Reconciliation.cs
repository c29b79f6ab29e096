using System.Text;
using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Danbao.Domain;
using Danbao.Domain.Loans;
using Danbao.Domain.Time;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Fund;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Resources;
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

    private const string LoanNamePrefix = "loans/";

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
        var session = await reads.GetAsync(ct);
        var funds = session.Funds;
        var code = FundAccounts.BankGuaranteed(bank.Id);
        // Every figure in one round trip.
        var beforeQuery = session.Enqueue(funds.MovementsByKind(code, null, from!.Value.AddDays(-1)));
        var duringQuery = session.Enqueue(funds.MovementsByKind(code, from, to!.Value));
        var paidQuery = session.Enqueue(funds.PaidCount(bank.Id, from.Value, to.Value));
        var ((filed, filedBase), claims) = await session.ReadAsync(funds.Filed(bank.Id, from.Value, to.Value),
            funds.ClaimMovements(bank.Id, from.Value, to.Value));
        var (before, during) = (beforeQuery.Value, duringQuery.Value);
        var opening = before.Values.Sum(m => m.DebitsFen - m.CreditsFen);
        var issued = during.GetValueOrDefault(GuaranteePostings.IssuedKind).DebitsFen;
        var released = during.Values.Sum(m => m.CreditsFen);
        // Recoveries after write-off (账销案存) restore the fund's capital and the bank's written-off share.
        var afterWriteOffFund = claims.Credits(ClaimPostings.RecoveryAfterWriteOffKind, fundSide: true, "capital");
        var afterWriteOffBank = claims.Credits(ClaimPostings.RecoveryAfterWriteOffKind, fundSide: false, "written_off");
        return new BankReconciliation
        {
            Bank = ResourceNames.Institution.Format(bank.Id),
            FromDate = Date(from),
            ToDate = Date(to),
            OpeningOutstandingFen = opening,
            GuaranteesIssuedFen = issued,
            GuaranteesReleasedFen = released,
            ClosingOutstandingFen = opening + during.Values.Sum(m => m.DebitsFen - m.CreditsFen),
            ClaimsFiled = filed,
            ClaimsFiledBaseFen = filedBase,
            ClaimsPaid = paidQuery.Value,
            ClaimsPaidFundFen = claims.FundDebits(ClaimPostings.CompensationKind),
            RecoveriesFundFen = claims.FundCredits(ClaimPostings.RecoveryKind) + afterWriteOffFund,
            RecoveriesBankFen = claims.BankCredits(ClaimPostings.RecoveryKind) + afterWriteOffBank,
            RecoveriesAfterWriteOffFundFen = afterWriteOffFund,
            RecoveriesAfterWriteOffBankFen = afterWriteOffBank,
            WriteOffsFundFen = claims.FundCredits(ClaimPostings.WriteOffKind),
            WriteOffsBankFen = claims.BankCredits(ClaimPostings.WriteOffKind),
        };
    }

    /// <summary>
    /// A bank's statement: checked against the bank's daily quota (uploads and lines,
    /// RESOURCE_EXHAUSTED with RetryInfo until the next business day, nothing stored), its lines (as
    /// `lines` or as `packed_lines` blocks, one form per statement: <see cref="PackedStatementLines"/>)
    /// streamed by binary COPY into the upload's transaction as they arrive, then compared with the
    /// ledger's per-loan balances as one merge in the database that writes the breaks. Memory does
    /// not grow with the statement. Breaks older than the retention are deleted on the way.
    /// </summary>
    [Roles(Role.Bank)]
    public override async Task<StatementComparison> UploadBankStatement(IAsyncStreamReader<UploadBankStatementRequest> requests, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;
        if (!await requests.MoveNext(ct))
        {
            throw RpcErrors.InvalidArgument("the statement is empty: send as_of_date in the first message", ("as_of_date", "required"));
        }
        var errors = new FieldErrors();
        var asOf = errors.Date("as_of_date", requests.Current.AsOfDate);
        if (asOf is { } on)
        {
            errors.NotAfterToday("as_of_date", on, Today());
        }
        errors.ThrowIfAny();
        var now = clock.GetUtcNow();
        var dayStart = ChinaStandardTime.StartOfDay(Today());
        var untilTomorrow = dayStart.AddDays(1) - now;
        var limits = statementLimits;
        // No retry around this transaction: a client stream cannot be replayed.
        await using var session = await database.OpenWriteSessionAsync(ct);
        var statements = session.Statements;
        var (uploads, linesToday) = await statements.LockQuotaAsync(caller.InstitutionId, dayStart);
        if (uploads >= limits.UploadsPerBankPerDayMax)
        {
            throw RpcErrors.ResourceExhausted("STATEMENT_UPLOADS_EXHAUSTED",
                $"{caller.InstitutionId} has uploaded {uploads} statements today, the most a bank may (STATEMENT_UPLOADS_PER_DAY = {limits.UploadsPerBankPerDayMax}); retry tomorrow",
                untilTomorrow);
        }
        var linesLeft = Math.Min(StatementLinesMax, limits.LinesPerBankPerDayMax - linesToday);
        statements.DeleteExpiredBreaks(caller.InstitutionId, now.AddDays(-limits.BreaksRetentionDays), now);
        var received = 0;
        var receivedNonZero = 0;
        var statementTotalFen = 0L;
        // Counts a line against the quota, before anything else is checked or staged.
        void Count()
        {
            if (++received > linesLeft)
            {
                throw received > StatementLinesMax
                    ? RpcErrors.ResourceExhausted("STATEMENT_TOO_LARGE", $"a statement holds at most {StatementLinesMax} lines")
                    : RpcErrors.ResourceExhausted("STATEMENT_LINES_EXHAUSTED",
                        $"{caller.InstitutionId} may upload {limits.LinesPerBankPerDayMax} statement lines a day and has {linesToday} today; this statement has more than the {linesLeft} left; retry tomorrow",
                        untilTomorrow);
            }
        }
        // Adds a line's amount to the statement's totals (the field's name is made only for a refusal).
        void Sum(long fen, bool packedLine)
        {
            if (fen < 0)
            {
                throw RpcErrors.InvalidArgument("outstanding_fen cannot be negative", (AmountField(packedLine), "≥ 0"));
            }
            if (long.MaxValue - statementTotalFen < fen)
            {
                // The statement's total is summed in 64 bits of fen: past that it is refused, never wrapped (issue 14).
                throw RpcErrors.InvalidArgument("the statement's amounts add up to more than a 64-bit fen total",
                    (AmountField(packedLine), "the lines' total must fit in 64 bits of fen"));
            }
            statementTotalFen += fen;
            receivedNonZero += fen != 0 ? 1 : 0;
        }
        string AmountField(bool packedLine) => packedLine ? "packed_lines" : $"lines[{received - 1}].outstanding_fen";
        var packedForm = (bool?)null;  // the stream's form, fixed by its first message with lines
        await using (var lines = await statements.BeginLinesAsync())
        {
            do
            {
                var message = requests.Current;
                var packed = message.PackedLines;
                if (message.Lines.Count > 0 || !packed.IsEmpty)
                {
                    if (message.Lines.Count > 0 && !packed.IsEmpty)
                    {
                        throw RpcErrors.InvalidArgument("a message carries its lines as lines or as packed_lines, not both",
                            ("packed_lines", "not in a message that has lines"));
                    }
                    if (packedForm is { } form && form != !packed.IsEmpty)
                    {
                        throw RpcErrors.InvalidArgument("a statement sends all its lines in one form: lines or packed_lines",
                            (form ? "lines" : "packed_lines", $"this statement's earlier messages used {(form ? "packed_lines" : "lines")}"));
                    }
                    packedForm = !packed.IsEmpty;
                }
                foreach (var line in message.Lines)
                {
                    Count();
                    // Checked inline and encoded into the COPY buffer from a slice of the name: nothing is
                    // allocated per line (LoanAccess.IdOf, with its field name, only to refuse a bad one).
                    var name = line.Loan;
                    if (!name.StartsWith(LoanNamePrefix, StringComparison.Ordinal) || name.Length is < 8 or > 40)
                    {
                        LoanAccess.IdOf(name, $"lines[{received - 1}].loan");
                    }
                    Sum(line.OutstandingFen, packedLine: false);
                    if (lines.Add(name.AsSpan(LoanNamePrefix.Length), line.OutstandingFen))
                    {
                        await lines.FlushAsync();
                    }
                }
                // The packed block is read in place and each line copied into the COPY buffer: no object per line.
                for (int at = 0, inMessage = 1; at < packed.Length; inMessage++)
                {
                    Count();
                    if (inMessage > PackedStatementLines.LinesPerMessageMax)
                    {
                        throw RpcErrors.InvalidArgument($"packed_lines holds more than {PackedStatementLines.LinesPerMessageMax} lines in one message",
                            ("packed_lines", $"at most {PackedStatementLines.LinesPerMessageMax} lines a message"));
                    }
                    if (PackedStatementLines.Read(packed.Span, ref at, out var loanId, out var fen) is { } problem)
                    {
                        throw RpcErrors.InvalidArgument($"packed_lines: line {inMessage} of the message (line {received} of the statement) is malformed: {problem}",
                            ("packed_lines", $"line {inMessage} of the message: {problem}"));
                    }
                    Sum(fen, packedLine: true);
                    if (lines.Add(packed.Span[loanId], fen))
                    {
                        await lines.FlushAsync();
                    }
                }
            }
            while (await requests.MoveNext(ct));
            try
            {
                await lines.CompleteAsync();
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
            {
                throw RpcErrors.InvalidArgument($"a loan appears twice in the statement ({e.Detail})", (packedForm == true ? "packed_lines" : "lines", "each loan once"));
            }
        }
        var (statement, first) = await statements.CompareAsync(ResourceIds.Statement(now), caller.InstitutionId, asOf!.Value, received, receivedNonZero,
            statementTotalFen, now, BreaksListedMax);
        await session.CommitAsync();
        var reply = new StatementComparison
        {
            Name = ResourceNames.Statement.Format(statement.Id),
            Bank = ResourceNames.Institution.Format(caller.InstitutionId),
            AsOfDate = Date(asOf),
            LinesReceived = received,
            LoansMatched = statement.LoansMatched,
            BreaksCount = statement.BreaksCount,
            OursTotalFen = statement.OursTotalFen,
            TheirsTotalFen = statement.TheirsTotalFen,
            BreaksTruncated = statement.BreaksCount > BreaksListedMax,
        };
        reply.Breaks.AddRange(first.Select(ToProto));
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.Admin)]
    public override async Task ExportStatementBreaks(ExportStatementBreaksRequest request, IServerStreamWriter<BreaksCsvChunk> responses, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;
        var statementId = ResourceNames.Statement.Parse(request.Name);
        var session = await reads.GetAsync(ct);
        var found = await session.Statements.FindAsync(statementId);
        var visible = found is { } f && AccessPolicy.CanSeeBank(caller, f.Statement.BankId,
            caller.Role == Role.Bank ? null : (await FindInstitutionAsync(f.Statement.BankId, ct))?.Region);
        if (!visible)
        {
            throw ResourceNames.Statement.NotFound(request.Name, caller.InstitutionId);
        }
        var (statement, breaksDeletedAt) = found!.Value;
        if (breaksDeletedAt is { } deleted)
        {
            throw RpcErrors.FailedPrecondition("BREAKS_EXPIRED",
                $"{request.Name}'s breaks were deleted on {deleted:yyyy-MM-dd} after the {statementLimits.BreaksRetentionDays}-day retention; its totals remain");
        }
        var csv = new StringBuilder("loan,kind,ours_fen,theirs_fen\n");
        await foreach (var b in session.Statements.BreaksAsync(statement.Id))
        {
            csv.Append(ResourceNames.Loan.Prefix).Append(b.LoanId).Append(',').Append(b.Kind).Append(',')
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
