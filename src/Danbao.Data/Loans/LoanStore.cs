using System.Text.Json;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Loans;

/// <summary>
/// SQL for the loans table, a member of the request's <see cref="DbSession"/>: writes are queued for the
/// session's next round trip; updates are optimistic (they name the version they read).
/// </summary>
public sealed class LoanStore(DbSession session)
{
    private const string Columns = """
        id, bank_id, region_code, district, state, borrower_type, borrower::text as borrower, id_number_cipher, id_number_index,
        amount_fen, term_months, contract_rate_bp, repayment_method, contract_date, counter_guarantee, hk_macau_youth,
        publicity_start_date, publicity_days, publicity_unit, suspended_since_date, suspended_days,
        bank_due_diligence, fund_due_diligence, guarantee_fund_id, guarantee_date, fund_risk_share_bp,
        disbursement_date, maturity_date, outstanding_principal_fen, interest_paid_to_date, unpaid_interest_fen,
        extensions, extension_months, extended_from_date, overdue_since_date, overdue_history::text as overdue_history,
        settled_date, claim_date, compensated_date, written_off_date, closed_date, rejection_reason, rejection_message,
        policy_version_ids, version, created_at, updated_at, application_date, failed_rules, guarantor_type
        """;

    private static readonly PositionalSql UpdateSql = new(
        """
        update loans set state = @state, hk_macau_youth = @hk_macau_youth,
            contract_date = @contract_date, amount_fen = @amount_fen, contract_rate_bp = @contract_rate_bp,
            counter_guarantee = @counter_guarantee,
            publicity_start_date = @publicity_start_date, publicity_days = @publicity_days, publicity_unit = @publicity_unit,
            suspended_since_date = @suspended_since_date, suspended_days = @suspended_days,
            bank_due_diligence = @bank_due_diligence, fund_due_diligence = @fund_due_diligence,
            guarantee_fund_id = coalesce(@guarantee_fund_id, guarantee_fund_id), guarantee_date = @guarantee_date,
            fund_risk_share_bp = @fund_risk_share_bp, guarantor_type = @guarantor_type, disbursement_date = @disbursement_date, maturity_date = @maturity_date,
            outstanding_principal_fen = @outstanding_principal_fen, interest_paid_to_date = @interest_paid_to_date,
            unpaid_interest_fen = @unpaid_interest_fen, extensions = @extensions, extension_months = @extension_months,
            extended_from_date = @extended_from_date, overdue_since_date = @overdue_since_date,
            overdue_history = @overdue_history::jsonb, settled_date = @settled_date, claim_date = @claim_date,
            compensated_date = @compensated_date, written_off_date = @written_off_date, closed_date = @closed_date,
            rejection_reason = @rejection_reason, rejection_message = @rejection_message,
            policy_version_ids = @policy_version_ids, failed_rules = @failed_rules, version = version + 1, updated_at = @now
        where id = @id and version = @expected_version
        """);

    private static readonly PositionalSql AddRepaymentSql = new(
        """
        insert into loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
        values (@loan, @paid, @amount, @interest, @principal, @from, @paid, @request)
        """);

    private static readonly PositionalSql RepaymentsSql = new(
        """
        select loan_id, paid_date, interest_fen, principal_fen, interest_from_date
        from loan_repayments where loan_id = any(@ids) order by loan_id, id
        """);

    private const string FindSql = $"select {Columns} from loans where id = $1";
    private const string FindForUpdateSql = FindSql + " for update";
    private const string FindManySql = $"select {Columns} from loans where id = any($1)";

    /// <summary>Queues the new loan's row.</summary>
    public void Insert(LoanRecord loan)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            insert into loans (id, bank_id, region_code, district, state, borrower_type, borrower, id_number_cipher, id_number_index,
                amount_fen, term_months, contract_rate_bp, repayment_method, contract_date, counter_guarantee, hk_macau_youth,
                policy_version_ids, version, created_at, updated_at, application_date, credit_code)
            values (@id, @bank_id, @region_code, @district, @state, @borrower_type, @borrower::jsonb, @id_number_cipher, @id_number_index,
                @amount_fen, @term_months, @contract_rate_bp, @repayment_method, @contract_date, @counter_guarantee, @hk_macau_youth,
                @policy_version_ids, 1, @now, @now, @application_date, @credit_code)
            """);
        var d = loan.Data;
        var p = cmd.Parameters;
        p.AddWithValue("id", d.Id);
        p.AddWithValue("bank_id", loan.BankId);
        p.AddWithValue("region_code", d.Region.Value);
        p.AddWithValue("district", loan.District);
        p.AddWithValue("state", d.State.ToCode());
        p.AddWithValue("borrower_type", BorrowerTypeCode(d.BorrowerType));
        p.AddWithValue("borrower", loan.BorrowerJson);
        p.AddWithValue("id_number_cipher", loan.IdNumberCipher);
        p.AddWithValue("id_number_index", loan.IdNumberIndex);
        p.AddWithValue("amount_fen", d.Amount.Fen);
        p.AddWithValue("term_months", d.TermMonths);
        p.AddWithValue("contract_rate_bp", d.ContractRate.Bp);
        p.AddWithValue("repayment_method", d.RepaymentMethod == RepaymentMethod.Bullet ? "BULLET" : "EQUAL_PRINCIPAL");
        p.AddWithValue("contract_date", d.ContractDate);
        p.AddWithValue("counter_guarantee", d.CounterGuarantee);
        p.AddWithValue("hk_macau_youth", d.HkMacauYouth);
        p.AddWithValue("policy_version_ids", d.PolicyVersionIds.ToArray());
        p.AddWithValue("now", loan.CreatedAt);
        p.AddWithValue("application_date", loan.ApplicationDate);
        p.AddWithValue("credit_code", NpgsqlDbType.Text, (object?)loan.CreditCode ?? DBNull.Value);
        session.Queue(cmd);
    }

    /// <summary>
    /// Queues the aggregate's new state, written only if the row is still at <paramref name="expectedVersion"/>;
    /// otherwise <paramref name="conflict"/> is thrown when the batch runs (the caller answers ABORTED).
    /// </summary>
    public void Update(LoanData d, int expectedVersion, string? guaranteeFundId, IReadOnlyList<string> failedRules, DateTimeOffset now,
        Func<Exception> conflict)
    {
        var cmd = UpdateSql.Command();
        var p = cmd.Parameters;
        p.AddWithValue("id", d.Id);
        p.AddWithValue("expected_version", expectedVersion);
        p.AddWithValue("state", d.State.ToCode());
        p.AddWithValue("hk_macau_youth", d.HkMacauYouth);
        p.AddWithValue("contract_date", d.ContractDate);
        p.AddWithValue("amount_fen", d.Amount.Fen);
        p.AddWithValue("contract_rate_bp", d.ContractRate.Bp);
        p.AddWithValue("counter_guarantee", d.CounterGuarantee);
        AddDate(p, "publicity_start_date", d.PublicityStartDate);
        p.AddWithValue("publicity_days", NpgsqlDbType.Integer, (object?)d.PublicityDays ?? DBNull.Value);
        p.AddWithValue("publicity_unit", NpgsqlDbType.Text, d.PublicityUnit is { } u ? PublicityUnitCode(u) : DBNull.Value);
        AddDate(p, "suspended_since_date", d.SuspendedSinceDate);
        p.AddWithValue("suspended_days", d.SuspendedDays);
        p.AddWithValue("bank_due_diligence", d.BankDueDiligence);
        p.AddWithValue("fund_due_diligence", d.FundDueDiligence);
        p.AddWithValue("guarantee_fund_id", NpgsqlDbType.Text, (object?)guaranteeFundId ?? DBNull.Value);
        AddDate(p, "guarantee_date", d.GuaranteeDate);
        p.AddWithValue("fund_risk_share_bp", NpgsqlDbType.Integer, d.FundRiskShare is { } share ? share.Bp : DBNull.Value);
        p.AddWithValue("guarantor_type", NpgsqlDbType.Text, d.Guarantor.ToCode());
        AddDate(p, "disbursement_date", d.DisbursementDate);
        AddDate(p, "maturity_date", d.MaturityDate);
        p.AddWithValue("outstanding_principal_fen", d.OutstandingPrincipal.Fen);
        AddDate(p, "interest_paid_to_date", d.InterestPaidToDate);
        p.AddWithValue("unpaid_interest_fen", d.UnpaidInterest.Fen);
        p.AddWithValue("extensions", d.Extensions);
        p.AddWithValue("extension_months", d.ExtensionMonths);
        AddDate(p, "extended_from_date", d.ExtendedFromDate);
        AddDate(p, "overdue_since_date", d.OverdueSinceDate);
        p.AddWithValue("overdue_history", JsonSerializer.Serialize(d.OverdueHistory.Select(r => new OverdueEpisode(r.Start, r.End))));
        AddDate(p, "settled_date", d.SettledDate);
        AddDate(p, "claim_date", d.ClaimDate);
        AddDate(p, "compensated_date", d.CompensatedDate);
        AddDate(p, "written_off_date", d.WrittenOffDate);
        AddDate(p, "closed_date", d.ClosedDate);
        p.AddWithValue("rejection_reason", NpgsqlDbType.Text, (object?)d.RejectionReason ?? DBNull.Value);
        p.AddWithValue("rejection_message", NpgsqlDbType.Text, (object?)d.RejectionMessage ?? DBNull.Value);
        p.AddWithValue("policy_version_ids", d.PolicyVersionIds.ToArray());
        p.AddWithValue("failed_rules", failedRules.ToArray());
        p.AddWithValue("now", now);
        session.Queue(UpdateSql.Bind(cmd), rows => rows == 1 ? Task.CompletedTask : throw conflict());
    }

    /// <summary>
    /// The loan, locked FOR UPDATE when <paramref name="forUpdate"/> (writers serialise on the row); for a batch.
    /// <paramref name="known"/>: a record of the loan kept in memory, returned instead of decoding the row when the
    /// row is at its version (every write of a loan adds one to it).
    /// </summary>
    public Query<LoanRecord?> Find(string id, bool forUpdate, LoanRecord? known = null)
    {
        var cmd = new NpgsqlBatchCommand(forUpdate ? FindForUpdateSql : FindSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return new Query<LoanRecord?>(cmd, async (r, ct) =>
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }
            return known is not null && known.Data.Id == id && r.GetInt32(r.GetOrdinal("version")) == known.Version ? known : Read(r);
        });
    }

    /// <summary>The row versions of these loans (those that exist; every write of a loan adds one); for <see cref="LoanVersions"/>.</summary>
    public Query<Dictionary<string, int>> VersionsOf(IReadOnlyCollection<string> ids)
    {
        var cmd = new NpgsqlBatchCommand("select id, version from loans where id = any($1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return new Query<Dictionary<string, int>>(cmd, async (r, ct) =>
        {
            var versions = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                versions[r.GetString(0)] = r.GetInt32(1);
            }
            return versions;
        });
    }

    public Task<LoanRecord?> FindAsync(string id, bool forUpdate) => session.ReadAsync(Find(id, forUpdate));

    /// <summary>The loan of a compensation claim, locked like <see cref="Find"/>; for a claim write's load batch.</summary>
    public Query<LoanRecord?> FindOfClaim(string claimId, bool forUpdate)
    {
        var cmd = new NpgsqlBatchCommand(
            $"select {Columns} from loans where id = (select loan_id from compensation_claims where id = @claim){(forUpdate ? " for update" : "")}");
        cmd.Parameters.AddWithValue("claim", claimId);
        return new Query<LoanRecord?>(cmd, async (r, ct) => await r.ReadAsync(ct) ? Read(r) : null);
    }

    /// <summary>
    /// The keys of a page of loans, newest first, after <paramref name="after"/>: id, row version and creation time only.
    /// A listing serves most rows from replies kept by version (<c>LoanSnapshots</c>) and reads whole rows only for the
    /// rest (<see cref="FindMany"/>); sending ~40 columns of 50 rows it then drops cost PostgreSQL most of a page's CPU.
    /// </summary>
    public Query<List<LoanPageKey>> ListKeys(LoanFilter filter, LoanCursor? after, int limit)
    {
        var cmd = PageCommand("select id, version, created_at from loans", filter, after, limit);
        return new Query<List<LoanPageKey>>(cmd, async (r, ct) =>
        {
            var keys = new List<LoanPageKey>(limit);
            while (await r.ReadAsync(ct))
            {
                keys.Add(new LoanPageKey(r.GetString(0), r.GetInt32(1), r.GetFieldValue<DateTimeOffset>(2)));
            }
            return keys;
        });
    }

    /// <summary>These loans by id (those that exist), in no order; for a batch.</summary>
    public Query<Dictionary<string, LoanRecord>> FindMany(IReadOnlyCollection<string> ids)
    {
        var cmd = new NpgsqlBatchCommand(FindManySql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return new Query<Dictionary<string, LoanRecord>>(cmd, async (r, ct) =>
        {
            var found = new Dictionary<string, LoanRecord>(ids.Count, StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                var record = Read(r);
                found[record.Data.Id] = record;
            }
            return found;
        });
    }

    /// <summary>
    /// One page of loans, newest first. Only the filters given are in the text: a prepared statement with
    /// "(@x is null or col = @x)" for each gets a generic plan that cannot use an index (a scan and sort of every
    /// loan, for each page), while each combination of filters as its own text is planned for what it is.
    /// </summary>
    private static NpgsqlBatchCommand PageCommand(string select, LoanFilter filter, LoanCursor? after, int limit)
    {
        var cmd = new NpgsqlBatchCommand();
        var p = cmd.Parameters;
        var where = new List<string>();
        void Where(string predicate, string name, NpgsqlDbType type, object value)
        {
            where.Add(predicate);
            p.AddWithValue(name, type, value);
        }
        if (filter.BankId is { } bank)
        {
            Where("bank_id = @bank_id", "bank_id", NpgsqlDbType.Text, bank);
        }
        if (filter.RegionWithin is { } region)
        {
            Where("(region_code = @region or region_code like @region || '-%')", "region", NpgsqlDbType.Text, region);
        }
        if (filter.State is { } state)
        {
            Where("state = @state", "state", NpgsqlDbType.Text, state.ToCode());
        }
        if (filter.District is { } district)
        {
            Where("district = @district", "district", NpgsqlDbType.Text, district);
        }
        if (filter.CreatedFrom is { } from)
        {
            Where("created_at >= @created_from", "created_from", NpgsqlDbType.TimestampTz, from.ToUniversalTime());
        }
        if (filter.CreatedBefore is { } before)
        {
            Where("created_at < @created_before", "created_before", NpgsqlDbType.TimestampTz, before.ToUniversalTime());
        }
        if (after is { } a)
        {
            Where("(created_at, id) < (@after_at, @after_id)", "after_at", NpgsqlDbType.TimestampTz, a.CreatedAt.ToUniversalTime());
            p.AddWithValue("after_id", NpgsqlDbType.Text, a.Id);
        }
        p.AddWithValue("limit", limit);
        cmd.CommandText = $"""
            {select}
            {(where.Count == 0 ? "" : "where " + string.Join(" and ", where))}
            order by created_at desc, id desc
            limit @limit
            """;
        return cmd;
    }

    /// <summary>Loans of the person with this blind index that count toward the lifetime limit.</summary>
    public Task<PersonLoanCounts> CountPersonLoansAsync(byte[] idNumberIndex, string excludingLoanId)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select
              count(*) filter (where l.state in ('CURRENT','OVERDUE','EXTENDED','SETTLED','CLAIMED','COMPENSATED','RECOVERING','WRITTEN_OFF','CLOSED')),
              count(*) filter (where l.borrower_type = 'ENTERPRISE' and l.state in ('APPROVED','GUARANTEED','CURRENT','OVERDUE','EXTENDED','CLAIMED')),
              count(*) filter (where l.borrower_type <> 'ENTERPRISE' and l.state in ('APPROVED','GUARANTEED','CURRENT','OVERDUE','EXTENDED','CLAIMED'))
            from loans l
            where l.id <> @excluding and (l.id_number_index = @ix
               or exists (select 1 from loan_borrower_ids b where b.loan_id = l.id and b.id_number_index = @ix))
            """);
        cmd.Parameters.AddWithValue("ix", idNumberIndex);
        cmd.Parameters.AddWithValue("excluding", excludingLoanId);
        return session.ReadAsync(new Query<PersonLoanCounts>(cmd, async (r, ct) =>
        {
            await r.ReadAsync(ct);
            return new PersonLoanCounts((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2));
        }));
    }

    /// <summary>Queues the partners' blind indexes, in the order of the borrower's partners list (position 1 first).</summary>
    public void AddBorrowerIds(string loanId, IEnumerable<byte[]> indexes)
    {
        var list = indexes.ToArray();
        if (list.Length == 0)
        {
            return;
        }
        var cmd = new NpgsqlBatchCommand(
            """
            insert into loan_borrower_ids (loan_id, id_number_index, partner_position)
            select @loan, ix, position from unnest(@indexes::bytea[]) with ordinality as u(ix, position)
            on conflict do nothing
            """);
        cmd.Parameters.AddWithValue("loan", loanId);
        cmd.Parameters.AddWithValue("indexes", list);
        session.Queue(cmd);
    }

    /// <summary>Queues an objection lodged during publicity (公示异议).</summary>
    public void AddObjection(string loanId, string lodgedBy, DateOnly lodged, string objection)
    {
        var cmd = new NpgsqlBatchCommand(
            "insert into loan_objections (loan_id, lodged_by, lodged_date, objection) values (@loan, @by, @date, @text)");
        cmd.Parameters.AddWithValue("loan", loanId);
        cmd.Parameters.AddWithValue("by", lodgedBy);
        cmd.Parameters.AddWithValue("date", lodged);
        cmd.Parameters.AddWithValue("text", objection);
        session.Queue(cmd);
    }

    /// <summary>Queues the resolution of the loan's open objection.</summary>
    public void ResolveObjection(string loanId, DateOnly resolved, bool upheld, string resolution)
    {
        var cmd = new NpgsqlBatchCommand(
            "update loan_objections set resolved_date = @date, upheld = @upheld, resolution = @text where loan_id = @loan and resolved_date is null");
        cmd.Parameters.AddWithValue("loan", loanId);
        cmd.Parameters.AddWithValue("date", resolved);
        cmd.Parameters.AddWithValue("upheld", upheld);
        cmd.Parameters.AddWithValue("text", resolution);
        session.Queue(cmd);
    }

    /// <summary>Loans the daily batch looks at (in publicity or being repaid), in id order, at most <paramref name="limit"/>.</summary>
    public Task<List<string>> BatchCandidatesAsync(string? regionWithin, int limit)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            select id from loans
            where state in ('PUBLICITY', 'CURRENT', 'EXTENDED', 'OVERDUE')
              and (@region::text is null or region_code = @region or region_code like @region || '-%')
            order by id limit @limit
            """);
        cmd.Parameters.AddWithValue("region", NpgsqlDbType.Text, (object?)regionWithin ?? DBNull.Value);
        cmd.Parameters.AddWithValue("limit", limit);
        return session.ReadAsync(new Query<List<string>>(cmd, async (r, ct) =>
        {
            var ids = new List<string>();
            while (await r.ReadAsync(ct))
            {
                ids.Add(r.GetString(0));
            }
            return ids;
        }));
    }

    /// <summary>Queues a repayment row (the facts overdue and subsidy are derived from).</summary>
    public void AddRepayment(string loanId, DateOnly paid, Money amount, Money interest, Money principal, DateOnly interestFrom, string requestId)
    {
        var cmd = AddRepaymentSql.Command();
        var p = cmd.Parameters;
        p.AddWithValue("loan", loanId);
        p.AddWithValue("paid", paid);
        p.AddWithValue("amount", amount.Fen);
        p.AddWithValue("interest", interest.Fen);
        p.AddWithValue("principal", principal.Fen);
        p.AddWithValue("from", interestFrom);
        p.AddWithValue("request", requestId);
        session.Queue(AddRepaymentSql.Bind(cmd));
    }

    /// <summary>Every recorded repayment of one loan, oldest first; for a batch.</summary>
    public Query<List<RecordedRepayment>> Repayments(string loanId)
    {
        var query = Repayments([loanId]);
        return new Query<List<RecordedRepayment>>(query.Command, async (r, ct) =>
        {
            var all = await ReadRepayments(r, ct);
            return all.TryGetValue(loanId, out var list) ? list : [];
        });
    }

    public Task<List<RecordedRepayment>> RepaymentsAsync(string loanId) => session.ReadAsync(Repayments(loanId));

    private static readonly PositionalSql RepaymentsUnlessVersionSql = new(
        """
        select loan_id, paid_date, interest_fen, principal_fen, interest_from_date
        from loan_repayments
        where loan_id = @id and not exists (select 1 from loans where id = @id and version = @known)
        order by id
        """);

    /// <summary>
    /// The loan's repayments, or none when the loan is still at <paramref name="knownVersion"/> (the caller holds that
    /// version's list: every repayment is written with a version bump). For a write's load batch after the loan's
    /// FOR UPDATE, so the version compared is the locked one.
    /// </summary>
    public Query<List<RecordedRepayment>> RepaymentsUnlessVersion(string loanId, int knownVersion)
    {
        var cmd = RepaymentsUnlessVersionSql.Command();
        cmd.Parameters.AddWithValue("id", loanId);
        cmd.Parameters.AddWithValue("known", knownVersion);
        return new Query<List<RecordedRepayment>>(RepaymentsUnlessVersionSql.Bind(cmd), async (r, ct) =>
        {
            var all = await ReadRepayments(r, ct);
            return all.TryGetValue(loanId, out var list) ? list : [];
        });
    }

    /// <summary>Every recorded repayment of these loans, oldest first per loan; for a batch.</summary>
    public Query<Dictionary<string, List<RecordedRepayment>>> Repayments(IReadOnlyCollection<string> loanIds)
    {
        var cmd = RepaymentsSql.Command();
        cmd.Parameters.AddWithValue("ids", loanIds.ToArray());
        return new Query<Dictionary<string, List<RecordedRepayment>>>(RepaymentsSql.Bind(cmd), ReadRepayments);
    }

    public Task<Dictionary<string, List<RecordedRepayment>>> RepaymentsAsync(IReadOnlyCollection<string> loanIds) =>
        loanIds.Count == 0 ? Task.FromResult(new Dictionary<string, List<RecordedRepayment>>(StringComparer.Ordinal)) : session.ReadAsync(Repayments(loanIds));

    private static async Task<Dictionary<string, List<RecordedRepayment>>> ReadRepayments(NpgsqlDataReader r, CancellationToken ct)
    {
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

    /// <summary>Other loans of the person with this blind index (as borrower, representative or partner): the good-payer rule reads them.</summary>
    public async Task<IReadOnlyList<PriorLoan>> PriorLoansOfPersonAsync(byte[] idNumberIndex, string excludingLoanId)
    {
        var rows = await PriorLoansAsync(
            """
            select 0, l.id, l.state from loans l where l.id_number_index = @ix and l.id <> @excluding
            union
            select 0, l.id, l.state from loan_borrower_ids b join loans l on l.id = b.loan_id
            where b.id_number_index = @ix and l.id <> @excluding
            """, [("ix", idNumberIndex), ("excluding", excludingLoanId)]);
        return rows.TryGetValue(0, out var list) ? list : [];
    }

    /// <summary>Each partner's other loans, by the partner's 1-based position in the loan's partners list.</summary>
    public Task<Dictionary<int, List<PriorLoan>>> PriorLoansOfPartnersAsync(string loanId) =>
        PriorLoansAsync(
            """
            select b.partner_position, l.id, l.state from loan_borrower_ids b
            join loans l on l.id_number_index = b.id_number_index and l.id <> @loan
            where b.loan_id = @loan and b.partner_position is not null
            union
            select b.partner_position, l.id, l.state from loan_borrower_ids b
            join loan_borrower_ids o on o.id_number_index = b.id_number_index and o.loan_id <> @loan
            join loans l on l.id = o.loan_id
            where b.loan_id = @loan and b.partner_position is not null
            """, [("loan", loanId)]);

    /// <summary>Other loans of the same unified social credit code (one live loan per code; good payers only).</summary>
    public async Task<IReadOnlyList<PriorLoan>> LoansOfCreditCodeAsync(string creditCode, string excludingLoanId)
    {
        var rows = await PriorLoansAsync(
            "select 0, id, state from loans where credit_code = @code and id <> @excluding",
            [("code", creditCode), ("excluding", excludingLoanId)]);
        return rows.TryGetValue(0, out var list) ? list : [];
    }

    private Task<Dictionary<int, List<PriorLoan>>> PriorLoansAsync(string sql, (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql + " order by 1, 2 limit 1000");
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return session.ReadAsync(new Query<Dictionary<int, List<PriorLoan>>>(cmd, async (r, ct) =>
        {
            var result = new Dictionary<int, List<PriorLoan>>();
            while (await r.ReadAsync(ct))
            {
                var key = r.GetInt32(0);
                if (!result.TryGetValue(key, out var list))
                {
                    result[key] = list = [];
                }
                list.Add(PriorLoan.FromState(r.GetString(1), LoanStateCodes.FromCode(r.GetString(2))));
            }
            return result;
        }));
    }


    public static string BorrowerTypeCode(BorrowerType type) => type switch
    {
        BorrowerType.Individual => "INDIVIDUAL",
        BorrowerType.Partnership => "PARTNERSHIP",
        BorrowerType.Enterprise => "ENTERPRISE",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static string PublicityUnitCode(PublicityUnit unit) =>
        unit == PublicityUnit.WorkingDays ? "WORKING_DAYS" : "CALENDAR_DAYS";

    private static void AddDate(NpgsqlParameterCollection p, string name, DateOnly? value) =>
        p.AddWithValue(name, NpgsqlDbType.Date, value is { } date ? date : DBNull.Value);

    private static LoanRecord Read(NpgsqlDataReader r)
    {
        DateOnly? Date(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetFieldValue<DateOnly>(r.GetOrdinal(column));
        int? Int(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetInt32(r.GetOrdinal(column));
        string? Text(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetString(r.GetOrdinal(column));
        T Get<T>(string column) => r.GetFieldValue<T>(r.GetOrdinal(column));

        var history = JsonSerializer.Deserialize<List<OverdueEpisode>>(Get<string>("overdue_history")) ?? [];
        var data = new LoanData
        {
            Id = Get<string>("id"),
            Region = new RegionCode(Get<string>("region_code")),
            BorrowerType = Get<string>("borrower_type") switch
            {
                "INDIVIDUAL" => BorrowerType.Individual,
                "PARTNERSHIP" => BorrowerType.Partnership,
                _ => BorrowerType.Enterprise,
            },
            Amount = new Money(Get<long>("amount_fen")),
            TermMonths = Get<int>("term_months"),
            ContractRate = new Rate(Get<decimal>("contract_rate_bp")),
            RepaymentMethod = Get<string>("repayment_method") == "BULLET" ? RepaymentMethod.Bullet : RepaymentMethod.EqualPrincipal,
            ContractDate = Get<DateOnly>("contract_date"),
            CounterGuarantee = Get<bool>("counter_guarantee"),
            State = LoanStateCodes.FromCode(Get<string>("state")),
            HkMacauYouth = Get<bool>("hk_macau_youth"),
            PublicityStartDate = Date("publicity_start_date"),
            PublicityDays = Int("publicity_days"),
            PublicityUnit = Text("publicity_unit") switch
            {
                null => null,
                "WORKING_DAYS" => PublicityUnit.WorkingDays,
                _ => PublicityUnit.CalendarDays,
            },
            SuspendedSinceDate = Date("suspended_since_date"),
            SuspendedDays = Get<int>("suspended_days"),
            BankDueDiligence = Get<bool>("bank_due_diligence"),
            FundDueDiligence = Get<bool>("fund_due_diligence"),
            GuaranteeDate = Date("guarantee_date"),
            FundRiskShare = Int("fund_risk_share_bp") is { } bp ? new Ratio(bp) : null,
            Guarantor = GuarantorTypeCodes.FromCode(Get<string>("guarantor_type")),
            DisbursementDate = Date("disbursement_date"),
            MaturityDate = Date("maturity_date"),
            OutstandingPrincipal = new Money(Get<long>("outstanding_principal_fen")),
            InterestPaidToDate = Date("interest_paid_to_date"),
            UnpaidInterest = new Money(Get<long>("unpaid_interest_fen")),
            Extensions = Get<int>("extensions"),
            ExtensionMonths = Get<int>("extension_months"),
            ExtendedFromDate = Date("extended_from_date"),
            OverdueSinceDate = Date("overdue_since_date"),
            OverdueHistory = history.Select(e => new DateRange(e.From, e.Until)).ToList(),
            SettledDate = Date("settled_date"),
            ClaimDate = Date("claim_date"),
            CompensatedDate = Date("compensated_date"),
            WrittenOffDate = Date("written_off_date"),
            ClosedDate = Date("closed_date"),
            RejectionReason = Text("rejection_reason"),
            RejectionMessage = Text("rejection_message"),
            PolicyVersionIds = Get<string[]>("policy_version_ids"),
        };
        return new LoanRecord
        {
            Data = data,
            BankId = Get<string>("bank_id"),
            District = Get<string>("district"),
            BorrowerJson = Get<string>("borrower"),
            IdNumberCipher = Get<byte[]>("id_number_cipher"),
            IdNumberIndex = Get<byte[]>("id_number_index"),
            GuaranteeFundId = Text("guarantee_fund_id"),
            Version = Get<int>("version"),
            CreatedAt = Get<DateTimeOffset>("created_at"),
            UpdatedAt = Get<DateTimeOffset>("updated_at"),
            ApplicationDate = Get<DateOnly>("application_date"),
            FailedRules = Get<string[]>("failed_rules"),
        };
    }

    private sealed record OverdueEpisode(DateOnly From, DateOnly Until);
}

/// <summary>How many guarantee loans a person already has, by kind (lifetime and live).</summary>
public sealed record PersonLoanCounts(int SubsidisedLifetime, int LiveEnterprise, int LiveIndividual);

/// <summary>A row of a loans page by its key: which loan, at which version, and where the page's cursor stands.</summary>
public sealed record LoanPageKey(string Id, int Version, DateTimeOffset CreatedAt);
