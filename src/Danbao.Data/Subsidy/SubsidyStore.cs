using System.Text.Json;
using Danbao.Domain;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Subsidy;

/// <summary>
/// SQL of subsidy claims, a member of the request's <see cref="DbSession"/> (<c>session.Subsidy</c>): small writes
/// are queued for the session's next round trip. Everything that touches many lines is set-based: loans and
/// repayments of a batch are read in one round trip, lines are written by binary COPY, reviews and settlement are
/// single UPDATE statements (run on their own, without a timeout: a million lines outlast the default), so a
/// claim's cost does not grow with round trips per loan.
/// </summary>
public sealed class SubsidyStore(DbSession session)
{
    /// <summary>Most lines one call may add (AddSubsidyClaimLines); larger claims are filed in batches.</summary>
    public const int LinesPerBatchMax = 10_000;

    private const string ClaimColumns = """
        id, bank_id, region_code, quarter_start, state, filed_date, settled_date, ledger_transaction_id, line_count,
        claimed_subsidy_fen, expected_subsidy_fen, approved_subsidy_fen, lines_matching, lines_differing,
        lines_ineligible_days, lines_not_payable, lines_approved, lines_rejected, version, created_at,
        lines_late, lines_late_pending, paid_subsidy_fen, clawed_back_fen, passed_through_fen, settled_by, rest_approved,
        rest_lines_matching, rest_lines_differing, rest_lines_ineligible_days,
        rest_payable_matching_fen, rest_payable_differing_fen, rest_payable_ineligible_days_fen
        """;

    private const string LineColumns = """
        claim_id, loan_id, bank_id, quarter_start, region_code, district, interest_paid_fen, subsidy_claimed_fen, flag,
        not_payable_reason, period_start, period_end, days, excluded_days, expected_interest_fen, expected_subsidy_fen,
        recorded_interest_fen, formula, decision, rejection_reason, approved_subsidy_fen, message, late_filing, late_reason, payable_subsidy_fen
        """;

    /// <summary>Queues the new claim's row.</summary>
    public void InsertClaim(SubsidyClaimRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var cmd = new NpgsqlBatchCommand(
            """
            insert into subsidy_claims (id, bank_id, region_code, quarter_start, state, filed_date, created_at)
            values (@id, @bank, @region, @quarter, @state, @filed, @created)
            """);
        cmd.Parameters.AddWithValue("id", c.Id);
        cmd.Parameters.AddWithValue("bank", c.BankId);
        cmd.Parameters.AddWithValue("region", c.RegionCode);
        cmd.Parameters.AddWithValue("quarter", c.QuarterStart);
        cmd.Parameters.AddWithValue("state", c.State);
        cmd.Parameters.AddWithValue("filed", c.FiledDate);
        cmd.Parameters.AddWithValue("created", c.CreatedAt);
        session.Queue(cmd);
    }

    public Query<SubsidyClaimRecord?> FindClaim(string id, bool forUpdate)
    {
        var cmd = new NpgsqlBatchCommand($"select {ClaimColumns} from subsidy_claims where id = @id{(forUpdate ? " for update" : "")}");
        cmd.Parameters.AddWithValue("id", id);
        return new Query<SubsidyClaimRecord?>(cmd, async (r, ct) => await r.ReadAsync(ct) ? ReadClaim(r) : null);
    }

    public Task<SubsidyClaimRecord?> FindClaimAsync(string id, bool forUpdate) => session.ReadAsync(FindClaim(id, forUpdate));

    /// <summary>Claims newest first; <paramref name="bankId"/> or <paramref name="regionWithin"/> narrow it (null: any).</summary>
    public Task<List<SubsidyClaimRecord>> ListClaimsAsync(string? bankId, string? regionWithin,
        DateOnly? quarterStart, (DateTimeOffset CreatedAt, string Id)? after, int limit)
    {
        var cmd = new NpgsqlBatchCommand(
            $"""
            select {ClaimColumns} from subsidy_claims
            where (@bank::text is null or bank_id = @bank)
              and (@region::text is null or region_code = @region or region_code like @region || '-%')
              and (@quarter::date is null or quarter_start = @quarter)
              and (@after_at::timestamptz is null or (created_at, id) < (@after_at, @after_id))
            order by created_at desc, id desc
            limit @limit
            """);
        var p = cmd.Parameters;
        p.AddWithValue("bank", NpgsqlDbType.Text, (object?)bankId ?? DBNull.Value);
        p.AddWithValue("region", NpgsqlDbType.Text, (object?)regionWithin ?? DBNull.Value);
        p.AddWithValue("quarter", NpgsqlDbType.Date, quarterStart is { } q ? q : DBNull.Value);
        p.AddWithValue("after_at", NpgsqlDbType.TimestampTz, after is { } a ? a.CreatedAt : DBNull.Value);
        p.AddWithValue("after_id", NpgsqlDbType.Text, after is { } a2 ? a2.Id : DBNull.Value);
        p.AddWithValue("limit", limit);
        return session.ReadAsync(new Query<List<SubsidyClaimRecord>>(cmd, async (reader, ct) =>
        {
            var claims = new List<SubsidyClaimRecord>();
            while (await reader.ReadAsync(ct))
            {
                claims.Add(ReadClaim(reader));
            }
            return claims;
        }));
    }

    // Loan states as numbers in a batch's read (array_position into this array, 1-based): a million lines, no state string each.
    private static readonly LoanState[] StatesByPosition = Enum.GetValues<LoanState>();
    private static readonly string[] StateCodesByPosition = StatesByPosition.Select(s => s.ToCode()).ToArray();

    /// <summary>
    /// The loans of a batch in one query (missing ids are simply absent). A batch's facts live until it is judged, so
    /// its rows make as few strings as they can: a row names its loan by its place in the array, a loan of
    /// <paramref name="bankId"/> comes back without its bank, codes come back as numbers and an empty overdue history
    /// as NULL.
    /// </summary>
    public static Query<Dictionary<string, SubsidyLoanFacts>> LoadLoans(IReadOnlyCollection<string> ids, string bankId)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var array = ids.ToArray();
        var cmd = new NpgsqlBatchCommand(
            """
            select k.n, nullif(l.bank_id, @bank), l.district, l.region_code,
                   case l.borrower_type when 'INDIVIDUAL' then 1 when 'PARTNERSHIP' then 2 else 3 end,
                   l.amount_fen, l.term_months, l.contract_rate_bp, l.repayment_method = 'BULLET', l.contract_date,
                   array_position(@states, l.state), l.disbursement_date, l.maturity_date, l.extended_from_date,
                   l.overdue_since_date, nullif(l.overdue_history, '[]'::jsonb)::text
            from unnest(@ids) with ordinality as k(id, n) cross join lateral (
                select bank_id, district, region_code, borrower_type, amount_fen, term_months, contract_rate_bp, repayment_method,
                       contract_date, state, disbursement_date, maturity_date, extended_from_date, overdue_since_date, overdue_history
                from loans where id = k.id offset 0) l
            """);
        cmd.Parameters.AddWithValue("ids", array);
        cmd.Parameters.AddWithValue("bank", bankId);
        cmd.Parameters.AddWithValue("states", StateCodesByPosition);
        return new Query<Dictionary<string, SubsidyLoanFacts>>(cmd, (r, ct) => ReadLoansAsync(r, array, bankId, ct));
    }

    private static async Task<Dictionary<string, SubsidyLoanFacts>> ReadLoansAsync(NpgsqlDataReader r, string[] ids, string bankId, CancellationToken ct)
    {
        var loans = new Dictionary<string, SubsidyLoanFacts>(ids.Length, StringComparer.Ordinal);
        RegionCode? region = null; // a batch's loans share a few regions and districts: each parsed once in a row
        string? district = null;
        while (await r.ReadAsync(ct))
        {
            var regionText = r.GetString(3);
            if (region?.Value != regionText)
            {
                region = new RegionCode(regionText);
            }
            var districtText = r.GetString(2);
            district = district == districtText ? district : districtText;
            DateOnly? Date(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
            // Most loans were never overdue: their empty history is not read (a claim reads a million of them).
            IReadOnlyList<DateRange> history = r.IsDBNull(15) ? [] : OverdueHistoryOf(r.GetString(15));
            var id = ids[r.GetInt64(0) - 1];
            var data = new LoanData
            {
                Id = id,
                Region = region.Value,
                BorrowerType = r.GetInt32(4) switch
                {
                    1 => BorrowerType.Individual,
                    2 => BorrowerType.Partnership,
                    _ => BorrowerType.Enterprise,
                },
                Amount = new Money(r.GetInt64(5)),
                TermMonths = r.GetInt32(6),
                ContractRate = new Rate(r.GetDecimal(7)),
                RepaymentMethod = r.GetBoolean(8) ? RepaymentMethod.Bullet : RepaymentMethod.EqualPrincipal,
                ContractDate = r.GetFieldValue<DateOnly>(9),
                State = r.IsDBNull(10) ? throw new FormatException($"loan {id} has an unknown state") : StatesByPosition[r.GetInt32(10) - 1],
                DisbursementDate = Date(11),
                MaturityDate = Date(12),
                ExtendedFromDate = Date(13),
                OverdueSinceDate = Date(14),
                OverdueHistory = history,
            };
            loans[data.Id] = new SubsidyLoanFacts(data, r.IsDBNull(1) ? bankId : r.GetString(1), district);
        }
        return loans;
    }

    private static IReadOnlyList<DateRange> OverdueHistoryOf(string json) =>
        (JsonSerializer.Deserialize<List<OverdueEpisode>>(json) ?? []).Select(e => new DateRange(e.From, e.Until)).ToList();

    /// <summary>All recorded repayments paid before <paramref name="paidBefore"/> of these loans, oldest first per loan.</summary>
    public static Query<Dictionary<string, List<RecordedRepayment>>> LoadRepayments(IReadOnlyCollection<string> ids, DateOnly paidBefore)
    {
        ArgumentNullException.ThrowIfNull(ids);
        // Each loan's rows through its index (loan_id, paid_date), in the lateral subquery fenced by offset 0 so it is
        // not flattened into a join: `loan_id = any(10,000 ids)` was planned as a scan of the whole table for every
        // batch. No sort per loan (a sort node per loan cost as much as its index look-up): the rows come in paid
        // date order, and the rare loan with two rows on one day is put in id order here. A row names its loan by its
        // place in the array, not by its id (no string per row).
        var array = ids.ToArray();
        var cmd = new NpgsqlBatchCommand(
            """
            select k.n, r.id, r.paid_date, r.interest_fen, r.principal_fen, r.interest_from_date
            from unnest(@ids) with ordinality as k(id, n) cross join lateral (
                select r.id, r.paid_date, r.interest_fen, r.principal_fen, r.interest_from_date from loan_repayments r
                where r.loan_id = k.id and r.paid_date < @before offset 0) r
            """);
        cmd.Parameters.AddWithValue("ids", array);
        cmd.Parameters.AddWithValue("before", paidBefore);
        return new Query<Dictionary<string, List<RecordedRepayment>>>(cmd, (r, ct) => ReadRepaymentsAsync(r, array, ct));
    }

    private static async Task<Dictionary<string, List<RecordedRepayment>>> ReadRepaymentsAsync(NpgsqlDataReader r, string[] ids, CancellationToken ct)
    {
        var result = new Dictionary<string, List<RecordedRepayment>>(ids.Length, StringComparer.Ordinal);
        List<RecordedRepayment>? list = null;
        List<long> rowIds = [];
        long loan = 0;
        var ordered = true;
        while (await r.ReadAsync(ct))
        {
            var n = r.GetInt64(0);
            if (n != loan)
            {
                if (!ordered)
                {
                    InIdOrder(list!, rowIds);
                }
                loan = n;
                result[ids[n - 1]] = list = [];
                rowIds.Clear();
                ordered = true;
            }
            var id = r.GetInt64(1);
            var paid = r.GetFieldValue<DateOnly>(2);
            ordered &= list!.Count == 0 || (list[^1].PaidOn, rowIds[^1]).CompareTo((paid, id)) < 0;
            rowIds.Add(id);
            list.Add(new RecordedRepayment(paid, new Money(r.GetInt64(3)), new Money(r.GetInt64(4)), r.GetFieldValue<DateOnly>(5)));
        }
        if (!ordered)
        {
            InIdOrder(list!, rowIds);
        }
        return result;
    }

    /// <summary>A loan's repayments in payment order: by paid date, then by id (the order they were recorded).</summary>
    private static void InIdOrder(List<RecordedRepayment> list, List<long> rowIds)
    {
        var order = Enumerable.Range(0, list.Count).OrderBy(i => list[i].PaidOn).ThenBy(i => rowIds[i]).Select(i => list[i]).ToArray();
        list.Clear();
        list.AddRange(order);
    }

    /// <summary>
    /// A batch's loans, then the repayments (paid before <paramref name="paidBefore"/>) of those of <paramref name="bankId"/>:
    /// two round trips, so the repayments are read for the bank's own loans by id instead of through a second scan of
    /// the batch's loans (a third of the batch's reading in PostgreSQL).
    /// </summary>
    public async Task<(Dictionary<string, SubsidyLoanFacts> Loans, Dictionary<string, List<RecordedRepayment>> Repayments)> LoadBatchAsync(
        IReadOnlyCollection<string> ids, string bankId, DateOnly paidBefore)
    {
        // A batch of 10,000 loans is costed above jit_above_cost: compiling its expressions took ~25 ms a batch, more
        // than the index look-ups it would speed up. Local to the call's transaction; a session without one (the side
        // pool's, whose connections have JIT off) would only get PostgreSQL's warning that SET LOCAL needs a transaction.
        if (session.Transaction is not null)
        {
            session.Queue(new NpgsqlBatchCommand("set local jit = off"));
        }
        var loans = await session.ReadAsync(LoadLoans(ids, bankId));
        var own = new List<string>(loans.Count);
        foreach (var (id, facts) in loans)
        {
            if (facts.BankId == bankId)
            {
                own.Add(id);
            }
        }
        var repayments = own.Count == 0 ? new Dictionary<string, List<RecordedRepayment>>(StringComparer.Ordinal) : await session.ReadAsync(LoadRepayments(own, paidBefore));
        return (loans, repayments);
    }

    /// <summary>One loan's repayments paid before <paramref name="paidBefore"/>, oldest first.</summary>
    public async Task<IReadOnlyList<RecordedRepayment>> RepaymentsAsync(string loanId, DateOnly paidBefore) =>
        (await session.ReadAsync(LoadRepayments([loanId], paidBefore))).GetValueOrDefault(loanId) ?? [];

    /// <summary>Which of these (loan, quarter) lines already have a live (not rejected) line, in any claim.</summary>
    public Task<List<string>> LiveLinesAsync(IReadOnlyList<(string LoanId, DateOnly QuarterStart)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var cmd = new NpgsqlBatchCommand(
            """
            select l.loan_id from subsidy_claim_lines l join unnest(@ids, @quarters) as k(loan_id, quarter_start)
              on l.loan_id = k.loan_id and l.quarter_start = k.quarter_start
            where l.decision <> 'REJECTED' order by l.loan_id limit 100
            """);
        cmd.Parameters.AddWithValue("ids", keys.Select(k => k.LoanId).ToArray());
        cmd.Parameters.AddWithValue("quarters", keys.Select(k => k.QuarterStart).ToArray());
        return session.ReadAsync(new Query<List<string>>(cmd, async (r, ct) =>
        {
            var found = new List<string>();
            while (await r.ReadAsync(ct))
            {
                found.Add(r.GetString(0));
            }
            return found;
        }));
    }

    /// <summary>
    /// Writes one call's encoded lines as one COPY (<see cref="ClaimLinesCopy"/>, as a stream writes its batches). The
    /// unique index refuses a second live line per loan and quarter (23505), raised as the COPY ends. The session's
    /// queued statements go first.
    /// </summary>
    public async Task InsertLinesAsync(ClaimLineCopyRows rows)
    {
        await using var copy = await BeginLinesCopyAsync();
        await copy.WriteAsync(rows);
        await copy.CompleteAsync();
    }

    /// <summary>Bytes of encoded rows sent at a time.</summary>
    internal const int CopyChunkBytes = 64 * 1024;

    /// <summary>
    /// Begins a COPY of lines that lasts as long as the caller feeds it (<see cref="ClaimLinesCopy"/>: a streamed claim's
    /// lines, batch by batch); the session's queued statements go first.
    /// </summary>
    public async Task<ClaimLinesCopy> BeginLinesCopyAsync()
    {
        await session.FlushAsync();
        return await ClaimLinesCopy.BeginAsync(session.Connection, $"copy subsidy_claim_lines ({LineColumns}) from stdin (format binary)", session.CancellationToken);
    }

    /// <summary>
    /// Writes the aggregate's summary (SubsidyClaim.Summary(), the one computation of the counters) and the
    /// claim's state, and bumps its version. With <paramref name="add"/>, the summary is of a batch (new
    /// lines, a claw-back, pass-throughs) and is added to the stored counters, so filing stays linear.
    /// </summary>
    public Task<SubsidyClaimRecord> WriteSummaryAsync(string claimId, Domain.Subsidy.SubsidyClaimSummary summary, bool add, ClaimStateChange? change)
    {
        ArgumentNullException.ThrowIfNull(summary);
        string Set(string column, string parameter) => add ? $"{column} = {column} + @{parameter}" : $"{column} = @{parameter}";
        var cmd = new NpgsqlBatchCommand(
            $"""
            update subsidy_claims set {Set("line_count", "n")}, {Set("claimed_subsidy_fen", "claimed")}, {Set("expected_subsidy_fen", "expected")},
                {Set("approved_subsidy_fen", "approved")}, {Set("lines_matching", "matching")}, {Set("lines_differing", "differing")},
                {Set("lines_ineligible_days", "ineligible")}, {Set("lines_not_payable", "not_payable")}, {Set("lines_approved", "approved_lines")},
                {Set("lines_rejected", "rejected_lines")}, {Set("lines_late", "late")}, {Set("lines_late_pending", "late_pending")},
                {Set("paid_subsidy_fen", "paid")}, {Set("clawed_back_fen", "clawed_back")}, {Set("passed_through_fen", "passed_through")},
                {Set("rest_lines_matching", "rest_matching")}, {Set("rest_lines_differing", "rest_differing")},
                {Set("rest_lines_ineligible_days", "rest_ineligible")}, {Set("rest_payable_matching_fen", "rest_matching_fen")},
                {Set("rest_payable_differing_fen", "rest_differing_fen")}, {Set("rest_payable_ineligible_days_fen", "rest_ineligible_fen")},
                state = coalesce(@state, state), settled_date = coalesce(@settled, settled_date), settled_by = coalesce(@settled_by, settled_by),
                ledger_transaction_id = coalesce(@ledger, ledger_transaction_id), rest_approved = coalesce(@rest_approved, rest_approved),
                version = version + 1
            where id = @id
            returning {ClaimColumns}
            """);
        var p = cmd.Parameters;
        p.AddWithValue("id", claimId);
        p.AddWithValue("n", summary.All.Lines);
        p.AddWithValue("claimed", summary.All.Claimed.Fen);
        p.AddWithValue("expected", summary.All.Expected.Fen);
        p.AddWithValue("approved", summary.All.Approved.Fen);
        p.AddWithValue("matching", summary.LinesMatching);
        p.AddWithValue("differing", summary.LinesDiffering);
        p.AddWithValue("ineligible", summary.LinesIneligibleDays);
        p.AddWithValue("not_payable", summary.LinesNotPayable);
        p.AddWithValue("approved_lines", summary.LinesApproved);
        p.AddWithValue("rejected_lines", summary.LinesRejected);
        p.AddWithValue("late", summary.LinesLate);
        p.AddWithValue("late_pending", summary.LinesLatePending);
        p.AddWithValue("paid", summary.Paid.Fen);
        p.AddWithValue("clawed_back", summary.ClawedBack.Fen);
        p.AddWithValue("passed_through", summary.PassedThrough.Fen);
        // NOT_PAYABLE lines are rejected when filed: the rule for the rest never covers one, so it has no counter.
        if (summary.RestByFlag[ClaimLineFlag.NotPayable].Lines != 0)
        {
            throw new InvalidOperationException($"subsidy claim {claimId}: NOT_PAYABLE lines counted as pending on time");
        }
        foreach (var (flag, name) in RestCounters)
        {
            p.AddWithValue("rest_" + name, summary.RestByFlag[flag].Lines);
            p.AddWithValue("rest_" + name + "_fen", summary.RestByFlag[flag].Payable.Fen);
        }
        p.AddWithValue("state", NpgsqlDbType.Text, (object?)change?.State ?? DBNull.Value);
        p.AddWithValue("settled", NpgsqlDbType.Date, change?.SettledDate is { } d ? d : DBNull.Value);
        p.AddWithValue("settled_by", NpgsqlDbType.Text, (object?)change?.SettledBy ?? DBNull.Value);
        p.AddWithValue("ledger", NpgsqlDbType.Bigint, change?.LedgerTransactionId is { } l ? l : DBNull.Value);
        p.AddWithValue("rest_approved", NpgsqlDbType.Boolean, change?.RestApproved is { } ra ? ra : DBNull.Value);
        return session.ReadAsync(new Query<SubsidyClaimRecord>(cmd, async (reader, ct) =>
            await reader.ReadAsync(ct) ? ReadClaim(reader) : throw new InvalidOperationException($"subsidy claim {claimId} is gone")));
    }

    /// <summary>The flags whose pending on-time lines the claim counts (rest_lines_*, rest_payable_*_fen, migration 0073), by parameter name.</summary>
    private static readonly (ClaimLineFlag Flag, string Name)[] RestCounters =
        [(ClaimLineFlag.Matches, "matching"), (ClaimLineFlag.Differs, "differing"), (ClaimLineFlag.IneligibleDays, "ineligible")];

    /// <summary>
    /// The claim's (@claim) lines with the keys @ids and @quarters, each looked up on the primary key (a lateral subquery
    /// fenced by offset 0): right after a million-line COPY the statistics say the claim has a few lines, and a join to
    /// the keys was planned as a scan of all of them.
    /// </summary>
    private const string LinesByKey = $"""
        select {LineColumns} from unnest(@ids, @quarters) as k(key_loan, key_quarter) cross join lateral (
            select {LineColumns} from subsidy_claim_lines
            where claim_id = @claim and loan_id = k.key_loan and quarter_start = k.key_quarter offset 0) l
        """;

    /// <summary>Most late lines a review can name (as many as line decisions per call, and one to tell there are more).</summary>
    public const int LatePendingLoadMax = LinesPerBatchMax + 1;

    /// <summary>
    /// The claim's lines with these keys and, when its counter says some are (<paramref name="latePending"/>), its late lines
    /// still undecided (at most <see cref="LatePendingLoadMax"/>): what a review holds. Each named line is looked up by its
    /// key (<see cref="LinesByKey"/>). The late lines have no index (one would cost every filed line a predicate in the
    /// COPY), so finding them scans the claim's lines; a claim without any skips it.
    /// </summary>
    public Task<List<SubsidyClaimLineRecord>> ReviewLinesAsync(string claimId, IReadOnlyList<(string LoanId, DateOnly QuarterStart)> named, bool latePending)
    {
        ArgumentNullException.ThrowIfNull(named);
        var late = latePending
            ? $"""
              union
              (select {LineColumns} from subsidy_claim_lines
               where claim_id = @claim and late_filing = 'PENDING' and decision = 'PENDING' limit {LatePendingLoadMax})
              """
            : "";
        var cmd = new NpgsqlBatchCommand(
            $"""
            {LinesByKey}
            {late}
            """);
        cmd.Parameters.AddWithValue("claim", claimId);
        cmd.Parameters.AddWithValue("ids", named.Select(k => k.LoanId).ToArray());
        cmd.Parameters.AddWithValue("quarters", named.Select(k => k.QuarterStart).ToArray());
        return session.ReadAsync(LinesQuery(cmd));
    }

    private static Query<List<SubsidyClaimLineRecord>> LinesQuery(NpgsqlBatchCommand cmd) => new(cmd, async (r, ct) =>
    {
        var lines = new List<SubsidyClaimLineRecord>();
        while (await r.ReadAsync(ct))
        {
            lines.Add(ReadLine(r));
        }
        return lines;
    });

    /// <summary>
    /// A review's rejection of the rest, line by line (a rejected line leaves the one-live-line index at once, so a
    /// corrected line can be filed): every pending on-time line becomes REJECTED with <paramref name="reason"/>.
    /// Returns how many; run on its own after the queued statements, without a timeout (a million lines).
    /// </summary>
    public async Task<int> RejectRestAsync(string claimId, string reason)
    {
        await session.FlushAsync();
        await using var cmd = new NpgsqlCommand(
            """
            update subsidy_claim_lines set decision = 'REJECTED', rejection_reason = @reason, approved_subsidy_fen = 0
            where claim_id = @claim and decision = 'PENDING' and late_filing = 'ON_TIME'
            """, session.Connection, session.Transaction);
        cmd.CommandTimeout = 0;
        cmd.Parameters.AddWithValue("claim", claimId);
        cmd.Parameters.AddWithValue("reason", reason);
        return await cmd.ExecuteNonQueryAsync(session.CancellationToken);
    }

    /// <summary>
    /// Settlement's one statement: every line approved at a positive amount is written as a statement line
    /// (<paramref name="subjectType"/>, loan, payable amount) of ledger transaction <paramref name="transactionId"/>, database
    /// to database. Approved means APPROVED, or (<paramref name="restApproved"/>) still PENDING and filed on time in a claim
    /// whose review approved the rest. The lines themselves are not rewritten: once the claim is SETTLED they are PAID by
    /// derivation (the view subsidy_paid_lines, migration 0070), and the database refuses any change to them. The ledger's
    /// commit check refuses the transaction if the lines do not add up to it. Returns the number of lines paid. Run on
    /// its own after the queued statements, without a timeout (a million lines).
    /// </summary>
    public async Task<int> PayApprovedLinesAsync(string claimId, bool restApproved, long transactionId, string subjectType)
    {
        await session.FlushAsync();
        await using var cmd = new NpgsqlCommand(
            """
            insert into ledger_transaction_lines (transaction_id, line_no, subject_type, subject_id, amount_fen)
            select @tx, (row_number() over ()) - 1, @subject, loan_id, payable_subsidy_fen from subsidy_claim_lines
            where claim_id = @claim and payable_subsidy_fen > 0
              and (decision = 'APPROVED' or (@rest and decision = 'PENDING' and late_filing = 'ON_TIME'))
            """, session.Connection, session.Transaction);
        cmd.CommandTimeout = 0;
        cmd.Parameters.AddWithValue("claim", claimId);
        cmd.Parameters.AddWithValue("rest", restApproved);
        cmd.Parameters.AddWithValue("tx", transactionId);
        cmd.Parameters.AddWithValue("subject", subjectType);
        return await cmd.ExecuteNonQueryAsync(session.CancellationToken);
    }

    /// <summary>The claim's lines for these keys (loan, quarter), with their claw-backs and pass-through records, in one round trip.</summary>
    public async Task<(IReadOnlyList<SubsidyClaimLineRecord> Lines, IReadOnlyList<SubsidyClawbackRecord> Clawbacks, IReadOnlyList<SubsidyPassThroughRecord> PassThroughs)>
        LinesWithRecordsAsync(string claimId, IReadOnlyList<(string LoanId, DateOnly QuarterStart)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ids = keys.Select(k => k.LoanId).ToArray();
        var quarters = keys.Select(k => k.QuarterStart).ToArray();
        NpgsqlBatchCommand Command(string sql)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            cmd.Parameters.AddWithValue("claim", claimId);
            cmd.Parameters.AddWithValue("ids", ids);
            cmd.Parameters.AddWithValue("quarters", quarters);
            return cmd;
        }
        var lines = LinesQuery(Command(LinesByKey));
        var clawbacks = new Query<List<SubsidyClawbackRecord>>(Command(
            """
            select c.loan_id, c.quarter_start, c.amount_fen, c.reason, c.clawed_back_date, c.clawed_back_by, c.ledger_transaction_id
            from subsidy_clawbacks c join unnest(@ids, @quarters) as k(loan_id, quarter_start) using (loan_id, quarter_start)
            where c.claim_id = @claim order by c.id
            """), async (r, ct) =>
        {
            var rows = new List<SubsidyClawbackRecord>();
            while (await r.ReadAsync(ct))
            {
                rows.Add(new SubsidyClawbackRecord(claimId, r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetInt64(2), r.GetString(3),
                    r.GetFieldValue<DateOnly>(4), r.GetString(5), r.GetInt64(6)));
            }
            return rows;
        });
        var passes = new Query<List<SubsidyPassThroughRecord>>(Command(
            """
            select p.loan_id, p.quarter_start, p.amount_fen, p.credited_date, p.ledger_transaction_id
            from subsidy_pass_throughs p join unnest(@ids, @quarters) as k(loan_id, quarter_start) using (loan_id, quarter_start)
            where p.claim_id = @claim
            """), async (r, ct) =>
        {
            var rows = new List<SubsidyPassThroughRecord>();
            while (await r.ReadAsync(ct))
            {
                rows.Add(new SubsidyPassThroughRecord(claimId, r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetInt64(2), r.GetFieldValue<DateOnly>(3), r.GetInt64(4)));
            }
            return rows;
        });
        var (l, c, p) = await session.ReadAsync(lines, clawbacks, passes);
        return (l, c, p);
    }

    /// <summary>Queues a claw-back's row.</summary>
    public void InsertClawback(SubsidyClawbackRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var cmd = new NpgsqlBatchCommand(
            """
            insert into subsidy_clawbacks (claim_id, loan_id, quarter_start, amount_fen, reason, clawed_back_date, clawed_back_by, ledger_transaction_id)
            values (@claim, @loan, @q, @amount, @reason, @on, @by, @ledger)
            """);
        var p = cmd.Parameters;
        p.AddWithValue("claim", c.ClaimId);
        p.AddWithValue("loan", c.LoanId);
        p.AddWithValue("q", c.QuarterStart);
        p.AddWithValue("amount", c.AmountFen);
        p.AddWithValue("reason", c.Reason);
        p.AddWithValue("on", c.ClawedBackDate);
        p.AddWithValue("by", c.ClawedBackBy);
        p.AddWithValue("ledger", c.LedgerTransactionId);
        session.Queue(cmd);
    }

    /// <summary>Queues the pass-throughs' rows (one statement).</summary>
    public void InsertPassThroughs(IReadOnlyList<SubsidyPassThroughRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cmd = new NpgsqlBatchCommand(
            """
            insert into subsidy_pass_throughs (claim_id, loan_id, quarter_start, amount_fen, credited_date, ledger_transaction_id)
            select @claim, l, q, a, d, t from unnest(@loans, @quarters, @amounts, @dates, @ledger) as x(l, q, a, d, t)
            """);
        var p = cmd.Parameters;
        p.AddWithValue("claim", rows[0].ClaimId);
        p.AddWithValue("loans", rows.Select(r => r.LoanId).ToArray());
        p.AddWithValue("quarters", rows.Select(r => r.QuarterStart).ToArray());
        p.AddWithValue("amounts", rows.Select(r => r.AmountFen).ToArray());
        p.AddWithValue("dates", rows.Select(r => r.CreditedDate).ToArray());
        p.AddWithValue("ledger", rows.Select(r => r.LedgerTransactionId).ToArray());
        session.Queue(cmd);
    }

    public Task<List<SubsidyClaimLineRecord>> ListLinesAsync(string claimId, string? afterLoanId, IReadOnlyCollection<string>? onlyLoanIds, int limit)
    {
        var cmd = new NpgsqlBatchCommand(
            $"""
            select {LineColumns} from subsidy_claim_lines
            where claim_id = @claim and (@after::text is null or loan_id > @after) and (@only::text[] is null or loan_id = any(@only))
            order by loan_id, quarter_start limit @limit
            """);
        cmd.Parameters.AddWithValue("claim", claimId);
        cmd.Parameters.AddWithValue("after", NpgsqlDbType.Text, (object?)afterLoanId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("only", NpgsqlDbType.Array | NpgsqlDbType.Text, onlyLoanIds is null ? DBNull.Value : onlyLoanIds.ToArray());
        cmd.Parameters.AddWithValue("limit", limit);
        return session.ReadAsync(LinesQuery(cmd));
    }

    /// <summary>
    /// Writes the decisions the aggregate made (decision, approved amount, rejection reason, late filing) in one
    /// statement, queued; no amount is computed here. A count that differs fails the batch. Each row is found by its key
    /// and updated by its ctid, as <see cref="ReviewLinesAsync"/> finds them: a join to the claim's lines could be planned
    /// as a scan of a million of them.
    /// </summary>
    public void ApplyDecisions(string claimId, IReadOnlyList<SubsidyClaimLineRecord> decided)
    {
        ArgumentNullException.ThrowIfNull(decided);
        if (decided.Count == 0)
        {
            return;
        }
        var cmd = new NpgsqlBatchCommand(
            """
            update subsidy_claim_lines l set decision = d.decision, approved_subsidy_fen = d.approved,
                rejection_reason = d.reason, late_filing = d.late
            from (select k.decision, k.approved, k.reason, k.late, t.ctid as line
                  from unnest(@loans, @quarters, @decisions, @approved, @reasons, @late) as k(loan_id, quarter_start, decision, approved, reason, late)
                  cross join lateral (select ctid from subsidy_claim_lines x
                                      where x.claim_id = @claim and x.loan_id = k.loan_id and x.quarter_start = k.quarter_start offset 0) t) d
            where l.ctid = d.line
            """);
        var p = cmd.Parameters;
        p.AddWithValue("claim", claimId);
        p.AddWithValue("loans", decided.Select(d => d.LoanId).ToArray());
        p.AddWithValue("quarters", decided.Select(d => d.QuarterStart).ToArray());
        p.AddWithValue("decisions", decided.Select(d => d.Decision).ToArray());
        p.AddWithValue("approved", decided.Select(d => d.ApprovedSubsidyFen).ToArray());
        p.AddWithValue("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, decided.Select(d => (object?)d.RejectionReason ?? DBNull.Value).ToArray());
        p.AddWithValue("late", decided.Select(d => d.LateFiling).ToArray());
        var expected = decided.Count;
        session.Queue(cmd, updated => updated == expected ? Task.CompletedTask
            : throw new InvalidOperationException($"subsidy claim {claimId}: {expected} decisions, {updated} lines updated"));
    }

    /// <summary>Paid lines (subsidy_paid_lines) of a region's quarter, streamed row by row (for totals and CSV export; never held, so not a batch query).</summary>
    public async IAsyncEnumerable<SubsidyReportRow> ReportRowsAsync(string regionWithin, DateOnly quarterStart)
    {
        await session.FlushAsync();
        var ct = session.CancellationToken;
        await using var cmd = new NpgsqlCommand(
            """
            select p.claim_id, p.loan_id, p.bank_id, p.district, coalesce(p.formula, ''), p.period_start, p.period_end, p.days, p.excluded_days,
                   p.expected_interest_fen, p.paid_subsidy_fen
            from subsidy_paid_lines p
            where (p.claim_region_code = @region or p.claim_region_code like @region || '-%') and p.claim_quarter_start >= @q
              and p.quarter_start = @q
            order by p.bank_id, p.loan_id
            """, session.Connection, session.Transaction);
        cmd.Parameters.AddWithValue("q", quarterStart);
        cmd.Parameters.AddWithValue("region", regionWithin);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            yield return new SubsidyReportRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateOnly>(5), r.GetFieldValue<DateOnly>(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9), r.GetInt64(10));
        }
    }

    private static string MessageOf(string stored, string flag, long interestPaid, long subsidyClaimed, DateOnly? start, DateOnly? end,
        long recordedInterest, long expectedSubsidy) =>
        SubsidyClaimRows.MessageOf(stored, flag, interestPaid, subsidyClaimed, start, end, recordedInterest, expectedSubsidy);

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
        LinesLate = r.GetInt32(20),
        LinesLatePending = r.GetInt32(21),
        PaidSubsidyFen = r.GetInt64(22),
        ClawedBackFen = r.GetInt64(23),
        PassedThroughFen = r.GetInt64(24),
        SettledBy = r.IsDBNull(25) ? null : r.GetString(25),
        RestApproved = r.GetBoolean(26),
        RestLinesMatching = r.GetInt32(27),
        RestLinesDiffering = r.GetInt32(28),
        RestLinesIneligibleDays = r.GetInt32(29),
        RestPayableMatchingFen = r.GetInt64(30),
        RestPayableDifferingFen = r.GetInt64(31),
        RestPayableIneligibleDaysFen = r.GetInt64(32),
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
            Message = MessageOf(r.GetString(21), r.GetString(8), r.GetInt64(6), r.GetInt64(7), Date(10), Date(11), r.GetInt64(16), r.GetInt64(15)),
            LateFiling = r.GetString(22),
            LateReason = Text(23),
            PayableSubsidyFen = r.GetInt64(24),
        };
    }

    private sealed record OverdueEpisode(DateOnly From, DateOnly Until);
}
