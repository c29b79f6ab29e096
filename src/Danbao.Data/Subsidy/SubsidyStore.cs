using System.Text.Json;
using Danbao.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Subsidy;

/// <summary>
/// SQL of subsidy claims. Everything that touches many lines is set-based: loans and repayments of a
/// batch are read in two queries, lines are written by binary COPY, reviews and settlement are single
/// UPDATE statements, so a claim's cost does not grow with round trips per loan.
/// </summary>
public static class SubsidyStore
{
    /// <summary>Most lines one call may add (AddSubsidyClaimLines); larger claims are filed in batches.</summary>
    public const int LinesPerBatchMax = 10_000;

    private const string ClaimColumns = """
        id, bank_id, region_code, quarter_start, state, filed_date, settled_date, ledger_transaction_id, line_count,
        claimed_subsidy_fen, expected_subsidy_fen, approved_subsidy_fen, lines_matching, lines_differing,
        lines_ineligible_days, lines_not_payable, lines_approved, lines_rejected, version, created_at
        """;

    private const string LineColumns = """
        claim_id, loan_id, bank_id, quarter_start, region_code, district, interest_paid_fen, subsidy_claimed_fen, flag,
        not_payable_reason, period_start, period_end, days, excluded_days, expected_interest_fen, expected_subsidy_fen,
        recorded_interest_fen, formula, decision, rejection_reason, approved_subsidy_fen, message
        """;

    public static async Task InsertClaimAsync(NpgsqlConnection conn, NpgsqlTransaction tx, SubsidyClaimRecord c, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into subsidy_claims (id, bank_id, region_code, quarter_start, state, filed_date, created_at)
            values (@id, @bank, @region, @quarter, @state, @filed, @created)
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", c.Id);
        cmd.Parameters.AddWithValue("bank", c.BankId);
        cmd.Parameters.AddWithValue("region", c.RegionCode);
        cmd.Parameters.AddWithValue("quarter", c.QuarterStart);
        cmd.Parameters.AddWithValue("state", c.State);
        cmd.Parameters.AddWithValue("filed", c.FiledDate);
        cmd.Parameters.AddWithValue("created", c.CreatedAt);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<SubsidyClaimRecord?> FindClaimAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string id, bool forUpdate, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select {ClaimColumns} from subsidy_claims where id = @id{(forUpdate ? " for update" : "")}", conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadClaim(reader) : null;
    }

    /// <summary>Claims newest first; <paramref name="bankId"/> or <paramref name="regionWithin"/> narrow it (null: any).</summary>
    public static async Task<IReadOnlyList<SubsidyClaimRecord>> ListClaimsAsync(NpgsqlConnection conn, string? bankId, string? regionWithin,
        DateOnly? quarterStart, (DateTimeOffset CreatedAt, string Id)? after, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            select {ClaimColumns} from subsidy_claims
            where (@bank::text is null or bank_id = @bank)
              and (@region::text is null or region_code = @region or region_code like @region || '-%')
              and (@quarter::date is null or quarter_start = @quarter)
              and (@after_at::timestamptz is null or (created_at, id) < (@after_at, @after_id))
            order by created_at desc, id desc
            limit @limit
            """, conn);
        var p = cmd.Parameters;
        p.AddWithValue("bank", NpgsqlDbType.Text, (object?)bankId ?? DBNull.Value);
        p.AddWithValue("region", NpgsqlDbType.Text, (object?)regionWithin ?? DBNull.Value);
        p.AddWithValue("quarter", NpgsqlDbType.Date, quarterStart is { } q ? q : DBNull.Value);
        p.AddWithValue("after_at", NpgsqlDbType.TimestampTz, after is { } a ? a.CreatedAt : DBNull.Value);
        p.AddWithValue("after_id", NpgsqlDbType.Text, after is { } a2 ? a2.Id : DBNull.Value);
        p.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var claims = new List<SubsidyClaimRecord>();
        while (await reader.ReadAsync(ct))
        {
            claims.Add(ReadClaim(reader));
        }
        return claims;
    }

    /// <summary>The loans of a batch in one query (missing ids are simply absent).</summary>
    public static async Task<Dictionary<string, SubsidyLoanFacts>> LoadLoansAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select id, bank_id, district, region_code, borrower_type, amount_fen, term_months, contract_rate_bp, repayment_method,
                   contract_date, state, disbursement_date, maturity_date, extended_from_date, overdue_since_date, overdue_history::text
            from loans where id = any(@ids)
            """, conn, tx);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var loans = new Dictionary<string, SubsidyLoanFacts>(ids.Count, StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
        {
            DateOnly? Date(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
            var history = JsonSerializer.Deserialize<List<OverdueEpisode>>(r.GetString(15)) ?? [];
            var data = new LoanData
            {
                Id = r.GetString(0),
                Region = new RegionCode(r.GetString(3)),
                BorrowerType = r.GetString(4) switch
                {
                    "INDIVIDUAL" => BorrowerType.Individual,
                    "PARTNERSHIP" => BorrowerType.Partnership,
                    _ => BorrowerType.Enterprise,
                },
                Amount = new Money(r.GetInt64(5)),
                TermMonths = r.GetInt32(6),
                ContractRate = new Rate(r.GetDecimal(7)),
                RepaymentMethod = r.GetString(8) == "BULLET" ? RepaymentMethod.Bullet : RepaymentMethod.EqualPrincipal,
                ContractDate = r.GetFieldValue<DateOnly>(9),
                State = LoanStateCodes.FromCode(r.GetString(10)),
                DisbursementDate = Date(11),
                MaturityDate = Date(12),
                ExtendedFromDate = Date(13),
                OverdueSinceDate = Date(14),
                OverdueHistory = history.Select(e => new DateRange(e.From, e.Until)).ToList(),
            };
            loans[data.Id] = new SubsidyLoanFacts(data, r.GetString(1), r.GetString(2));
        }
        return loans;
    }

    /// <summary>All recorded repayments of the batch's loans, in one query, oldest first per loan.</summary>
    public static async Task<Dictionary<string, List<RecordedRepayment>>> LoadRepaymentsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyCollection<string> ids, DateOnly paidBefore, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select loan_id, paid_date, interest_fen, principal_fen, interest_from_date
            from loan_repayments where loan_id = any(@ids) and paid_date < @before
            order by loan_id, id
            """, conn, tx);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        cmd.Parameters.AddWithValue("before", paidBefore);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var result = new Dictionary<string, List<RecordedRepayment>>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
        {
            var loanId = r.GetString(0);
            if (!result.TryGetValue(loanId, out var list))
            {
                result[loanId] = list = [];
            }
            list.Add(new RecordedRepayment(r.GetFieldValue<DateOnly>(1), new Money(r.GetInt64(2)), new Money(r.GetInt64(3)), r.GetFieldValue<DateOnly>(4)));
        }
        return result;
    }

    /// <summary>Which of these loans already have a live (not rejected) line for the quarter, in any claim.</summary>
    public static async Task<IReadOnlyList<string>> LiveLinesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<string> ids,
        DateOnly quarterStart, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "select loan_id from subsidy_claim_lines where loan_id = any(@ids) and quarter_start = @q and decision <> 'REJECTED' order by loan_id limit 100",
            conn, tx);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        cmd.Parameters.AddWithValue("q", quarterStart);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var found = new List<string>();
        while (await r.ReadAsync(ct))
        {
            found.Add(r.GetString(0));
        }
        return found;
    }

    /// <summary>
    /// Writes the lines by binary COPY. The unique index refuses a second live line per loan and quarter
    /// (23505). Rows are written synchronously into Npgsql's buffer (it flushes as it fills): an awaited
    /// call per field costs more than the COPY itself at 10,000 lines.
    /// </summary>
    public static async Task InsertLinesAsync(NpgsqlConnection conn, IReadOnlyList<SubsidyClaimLineRecord> lines, CancellationToken ct)
    {
        await using var writer = await conn.BeginBinaryImportAsync(
            $"copy subsidy_claim_lines ({LineColumns}) from stdin (format binary)", ct);
        foreach (var l in lines)
        {
            writer.StartRow();
            writer.Write(l.ClaimId, NpgsqlDbType.Text);
            writer.Write(l.LoanId, NpgsqlDbType.Text);
            writer.Write(l.BankId, NpgsqlDbType.Text);
            writer.Write(l.QuarterStart, NpgsqlDbType.Date);
            writer.Write(l.RegionCode, NpgsqlDbType.Text);
            writer.Write(l.District, NpgsqlDbType.Text);
            writer.Write(l.InterestPaidFen, NpgsqlDbType.Bigint);
            writer.Write(l.SubsidyClaimedFen, NpgsqlDbType.Bigint);
            writer.Write(l.Flag, NpgsqlDbType.Text);
            WriteNullable(writer, l.NotPayableReason);
            WriteNullable(writer, l.PeriodStart);
            WriteNullable(writer, l.PeriodEnd);
            writer.Write(l.Days, NpgsqlDbType.Integer);
            writer.Write(l.ExcludedDays, NpgsqlDbType.Integer);
            writer.Write(l.ExpectedInterestFen, NpgsqlDbType.Bigint);
            writer.Write(l.ExpectedSubsidyFen, NpgsqlDbType.Bigint);
            writer.Write(l.RecordedInterestFen, NpgsqlDbType.Bigint);
            WriteNullable(writer, l.Formula);
            writer.Write(l.Decision, NpgsqlDbType.Text);
            WriteNullable(writer, l.RejectionReason);
            writer.Write(l.ApprovedSubsidyFen, NpgsqlDbType.Bigint);
            writer.Write(l.Message, NpgsqlDbType.Text);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Recounts the claim's summary from its lines in one statement and bumps its version.</summary>
    public static async Task<SubsidyClaimRecord> RefreshClaimAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string claimId,
        string? newState, DateOnly? settledDate, long? ledgerTransactionId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            with s as (
                select count(*)::int as n,
                       coalesce(sum(subsidy_claimed_fen), 0)::bigint as claimed,
                       coalesce(sum(expected_subsidy_fen), 0)::bigint as expected,
                       coalesce(sum(approved_subsidy_fen) filter (where decision in ('APPROVED', 'PAID')), 0)::bigint as approved,
                       (count(*) filter (where flag = 'MATCHES'))::int as matching,
                       (count(*) filter (where flag = 'DIFFERS'))::int as differing,
                       (count(*) filter (where flag = 'INELIGIBLE_DAYS'))::int as ineligible,
                       (count(*) filter (where flag = 'NOT_PAYABLE'))::int as not_payable,
                       (count(*) filter (where decision in ('APPROVED', 'PAID')))::int as approved_lines,
                       (count(*) filter (where decision = 'REJECTED'))::int as rejected_lines
                from subsidy_claim_lines where claim_id = @id)
            update subsidy_claims c set line_count = s.n, claimed_subsidy_fen = s.claimed, expected_subsidy_fen = s.expected,
                approved_subsidy_fen = s.approved, lines_matching = s.matching, lines_differing = s.differing,
                lines_ineligible_days = s.ineligible, lines_not_payable = s.not_payable, lines_approved = s.approved_lines,
                lines_rejected = s.rejected_lines, state = coalesce(@state, c.state), settled_date = coalesce(@settled, c.settled_date),
                ledger_transaction_id = coalesce(@ledger, c.ledger_transaction_id), version = c.version + 1
            from s where c.id = @id
            returning {string.Join(", ", ClaimColumns.Split(',').Select(col => "c." + col.Trim()))}
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", claimId);
        cmd.Parameters.AddWithValue("state", NpgsqlDbType.Text, (object?)newState ?? DBNull.Value);
        cmd.Parameters.AddWithValue("settled", NpgsqlDbType.Date, settledDate is { } d ? d : DBNull.Value);
        cmd.Parameters.AddWithValue("ledger", NpgsqlDbType.Bigint, ledgerTransactionId is { } l ? l : DBNull.Value);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ReadClaim(reader);
    }

    /// <summary>
    /// Adds a batch's lines to the claim's summary (no recount of earlier batches, so filing N lines in
    /// batches stays linear) and bumps its version.
    /// </summary>
    public static async Task<SubsidyClaimRecord> AddToSummaryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string claimId,
        IReadOnlyList<SubsidyClaimLineRecord> lines, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            update subsidy_claims set line_count = line_count + @n, claimed_subsidy_fen = claimed_subsidy_fen + @claimed,
                expected_subsidy_fen = expected_subsidy_fen + @expected, lines_matching = lines_matching + @matching,
                lines_differing = lines_differing + @differing, lines_ineligible_days = lines_ineligible_days + @ineligible,
                lines_not_payable = lines_not_payable + @not_payable, lines_rejected = lines_rejected + @rejected, version = version + 1
            where id = @id
            returning {ClaimColumns}
            """, conn, tx);
        var p = cmd.Parameters;
        p.AddWithValue("id", claimId);
        p.AddWithValue("n", lines.Count);
        p.AddWithValue("claimed", lines.Sum(l => l.SubsidyClaimedFen));
        p.AddWithValue("expected", lines.Sum(l => l.ExpectedSubsidyFen));
        p.AddWithValue("matching", lines.Count(l => l.Flag == "MATCHES"));
        p.AddWithValue("differing", lines.Count(l => l.Flag == "DIFFERS"));
        p.AddWithValue("ineligible", lines.Count(l => l.Flag == "INELIGIBLE_DAYS"));
        p.AddWithValue("not_payable", lines.Count(l => l.Flag == "NOT_PAYABLE"));
        p.AddWithValue("rejected", lines.Count(l => l.Decision == "REJECTED"));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ReadClaim(reader);
    }

    public static async Task<IReadOnlyList<SubsidyClaimLineRecord>> ListLinesAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string claimId,
        string? afterLoanId, IReadOnlyCollection<string>? onlyLoanIds, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            select {LineColumns} from subsidy_claim_lines
            where claim_id = @claim and (@after::text is null or loan_id > @after) and (@only::text[] is null or loan_id = any(@only))
            order by loan_id limit @limit
            """, conn, tx);
        cmd.Parameters.AddWithValue("claim", claimId);
        cmd.Parameters.AddWithValue("after", NpgsqlDbType.Text, (object?)afterLoanId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("only", NpgsqlDbType.Array | NpgsqlDbType.Text, onlyLoanIds is null ? DBNull.Value : onlyLoanIds.ToArray());
        cmd.Parameters.AddWithValue("limit", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var lines = new List<SubsidyClaimLineRecord>();
        while (await r.ReadAsync(ct))
        {
            lines.Add(ReadLine(r));
        }
        return lines;
    }

    /// <summary>
    /// Applies a review in two statements: the named decisions (loan id → approve?, reason), then, when
    /// <paramref name="approveRest"/>, approves every other pending line, else rejects it. Approved lines pay
    /// min(claimed, expected). Returns the loan ids named that are NOT_PAYABLE (approval refused) — checked first.
    /// </summary>
    public static async Task ReviewAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string claimId,
        IReadOnlyList<(string LoanId, bool Approve, string Reason)> decisions, bool approveRest, CancellationToken ct)
    {
        if (decisions.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(
                """
                update subsidy_claim_lines l set
                    decision = case when d.approve then 'APPROVED' else 'REJECTED' end,
                    approved_subsidy_fen = case when d.approve then least(l.subsidy_claimed_fen, l.expected_subsidy_fen) else 0 end,
                    rejection_reason = case when d.approve then null else d.reason end
                from unnest(@loans, @approve, @reasons) as d(loan_id, approve, reason)
                where l.claim_id = @claim and l.loan_id = d.loan_id and l.flag <> 'NOT_PAYABLE'
                """, conn, tx);
            cmd.Parameters.AddWithValue("claim", claimId);
            cmd.Parameters.AddWithValue("loans", decisions.Select(d => d.LoanId).ToArray());
            cmd.Parameters.AddWithValue("approve", decisions.Select(d => d.Approve).ToArray());
            cmd.Parameters.AddWithValue("reasons", decisions.Select(d => d.Reason).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using var rest = new NpgsqlCommand(
            """
            update subsidy_claim_lines l set
                decision = case when @approve then 'APPROVED' else 'REJECTED' end,
                approved_subsidy_fen = case when @approve then least(l.subsidy_claimed_fen, l.expected_subsidy_fen) else 0 end,
                rejection_reason = case when @approve then null else 'NOT_APPROVED' end
            where l.claim_id = @claim and l.decision = 'PENDING' and not (l.loan_id = any(@named))
            """, conn, tx);
        rest.Parameters.AddWithValue("claim", claimId);
        rest.Parameters.AddWithValue("approve", approveRest);
        rest.Parameters.AddWithValue("named", decisions.Select(d => d.LoanId).ToArray());
        await rest.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Marks the claim's approved lines PAID in one statement (a paid line is final: trigger) and returns
    /// them (loan id, amount) in loan order for the ledger's per-loan lines.
    /// </summary>
    public static async Task<List<(string LoanId, long AmountFen)>> MarkPaidAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string claimId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            with paid as (
                update subsidy_claim_lines set decision = 'PAID' where claim_id = @claim and decision = 'APPROVED'
                returning loan_id, approved_subsidy_fen)
            select loan_id, approved_subsidy_fen from paid order by loan_id
            """, conn, tx);
        cmd.Parameters.AddWithValue("claim", claimId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var lines = new List<(string, long)>();
        while (await r.ReadAsync(ct))
        {
            lines.Add((r.GetString(0), r.GetInt64(1)));
        }
        return lines;
    }

    /// <summary>Paid lines of a region's quarter, streamed row by row (for totals and CSV export).</summary>
    public static async IAsyncEnumerable<SubsidyReportRow> ReportRowsAsync(NpgsqlConnection conn, string regionWithin, DateOnly quarterStart,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select l.claim_id, l.loan_id, l.bank_id, l.district, coalesce(l.formula, ''), l.period_start, l.period_end, l.days, l.excluded_days,
                   l.expected_interest_fen, l.approved_subsidy_fen
            from subsidy_claim_lines l join subsidy_claims c on c.id = l.claim_id
            where l.quarter_start = @q and l.decision = 'PAID' and (c.region_code = @region or c.region_code like @region || '-%')
            order by l.bank_id, l.loan_id
            """, conn);
        cmd.Parameters.AddWithValue("q", quarterStart);
        cmd.Parameters.AddWithValue("region", regionWithin);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            yield return new SubsidyReportRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateOnly>(5), r.GetFieldValue<DateOnly>(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9), r.GetInt64(10));
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, NpgsqlDbType.Text);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter writer, DateOnly? value)
    {
        if (value is { } v)
        {
            writer.Write(v, NpgsqlDbType.Date);
        }
        else
        {
            writer.WriteNull();
        }
    }

    private static SubsidyClaimRecord ReadClaim(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        BankId = r.GetString(1),
        RegionCode = r.GetString(2),
        QuarterStart = r.GetFieldValue<DateOnly>(3),
        State = r.GetString(4),
        FiledDate = r.GetFieldValue<DateOnly>(5),
        SettledDate = r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6),
        LedgerTransactionId = r.IsDBNull(7) ? null : r.GetInt64(7),
        LineCount = r.GetInt32(8),
        ClaimedSubsidyFen = r.GetInt64(9),
        ExpectedSubsidyFen = r.GetInt64(10),
        ApprovedSubsidyFen = r.GetInt64(11),
        LinesMatching = r.GetInt32(12),
        LinesDiffering = r.GetInt32(13),
        LinesIneligibleDays = r.GetInt32(14),
        LinesNotPayable = r.GetInt32(15),
        LinesApproved = r.GetInt32(16),
        LinesRejected = r.GetInt32(17),
        Version = r.GetInt32(18),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(19),
    };

    private static SubsidyClaimLineRecord ReadLine(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateOnly? Date(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
        return new SubsidyClaimLineRecord
        {
            ClaimId = r.GetString(0),
            LoanId = r.GetString(1),
            BankId = r.GetString(2),
            QuarterStart = r.GetFieldValue<DateOnly>(3),
            RegionCode = r.GetString(4),
            District = r.GetString(5),
            InterestPaidFen = r.GetInt64(6),
            SubsidyClaimedFen = r.GetInt64(7),
            Flag = r.GetString(8),
            NotPayableReason = Text(9),
            PeriodStart = Date(10),
            PeriodEnd = Date(11),
            Days = r.GetInt32(12),
            ExcludedDays = r.GetInt32(13),
            ExpectedInterestFen = r.GetInt64(14),
            ExpectedSubsidyFen = r.GetInt64(15),
            RecordedInterestFen = r.GetInt64(16),
            Formula = Text(17),
            Decision = r.GetString(18),
            RejectionReason = Text(19),
            ApprovedSubsidyFen = r.GetInt64(20),
            Message = r.GetString(21),
        };
    }

    private sealed record OverdueEpisode(DateOnly From, DateOnly Until);
}
