using System.Text.Json;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Eligibility;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Loans;

/// <summary>SQL for the loans table. Updates are optimistic: they name the version they read.</summary>
public static class LoanStore
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

    public static async Task InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LoanRecord loan, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            insert into loans (id, bank_id, region_code, district, state, borrower_type, borrower, id_number_cipher, id_number_index,
                amount_fen, term_months, contract_rate_bp, repayment_method, contract_date, counter_guarantee, hk_macau_youth,
                policy_version_ids, version, created_at, updated_at, application_date, credit_code)
            values (@id, @bank_id, @region_code, @district, @state, @borrower_type, @borrower::jsonb, @id_number_cipher, @id_number_index,
                @amount_fen, @term_months, @contract_rate_bp, @repayment_method, @contract_date, @counter_guarantee, @hk_macau_youth,
                @policy_version_ids, 1, @now, @now, @application_date, @credit_code)
            """, conn, tx);
        var d = loan.Data;
        cmd.Parameters.AddWithValue("id", d.Id);
        cmd.Parameters.AddWithValue("bank_id", loan.BankId);
        cmd.Parameters.AddWithValue("region_code", d.Region.Value);
        cmd.Parameters.AddWithValue("district", loan.District);
        cmd.Parameters.AddWithValue("state", d.State.ToCode());
        cmd.Parameters.AddWithValue("borrower_type", BorrowerTypeCode(d.BorrowerType));
        cmd.Parameters.AddWithValue("borrower", loan.BorrowerJson);
        cmd.Parameters.AddWithValue("id_number_cipher", loan.IdNumberCipher);
        cmd.Parameters.AddWithValue("id_number_index", loan.IdNumberIndex);
        cmd.Parameters.AddWithValue("amount_fen", d.Amount.Fen);
        cmd.Parameters.AddWithValue("term_months", d.TermMonths);
        cmd.Parameters.AddWithValue("contract_rate_bp", d.ContractRate.Bp);
        cmd.Parameters.AddWithValue("repayment_method", d.RepaymentMethod == RepaymentMethod.Bullet ? "BULLET" : "EQUAL_PRINCIPAL");
        cmd.Parameters.AddWithValue("contract_date", d.ContractDate);
        cmd.Parameters.AddWithValue("counter_guarantee", d.CounterGuarantee);
        cmd.Parameters.AddWithValue("hk_macau_youth", d.HkMacauYouth);
        cmd.Parameters.AddWithValue("policy_version_ids", d.PolicyVersionIds.ToArray());
        cmd.Parameters.AddWithValue("now", loan.CreatedAt);
        cmd.Parameters.AddWithValue("application_date", loan.ApplicationDate);
        cmd.Parameters.AddWithValue("credit_code", NpgsqlDbType.Text, (object?)loan.CreditCode ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Writes the aggregate's state if the row is still at <paramref name="expectedVersion"/>;
    /// false when another writer got there first (the caller answers ABORTED).
    /// </summary>
    public static async Task<bool> UpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, LoanData d, int expectedVersion,
        string? guaranteeFundId, IReadOnlyList<string> failedRules, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
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
            """, conn, tx);
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
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>The loan, locked FOR UPDATE when <paramref name="forUpdate"/> (writers serialise on the row).</summary>
    public static async Task<LoanRecord?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string id, bool forUpdate, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select {Columns} from loans where id = @id{(forUpdate ? " for update" : "")}", conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>A page of loans, newest first, after <paramref name="after"/>.</summary>
    public static async Task<IReadOnlyList<LoanRecord>> ListAsync(NpgsqlConnection conn, LoanFilter filter, LoanCursor? after, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            select {Columns} from loans
            where (@bank_id::text is null or bank_id = @bank_id)
              and (@region::text is null or region_code = @region or region_code like @region || '-%')
              and (@state::text is null or state = @state)
              and (@district::text is null or district = @district)
              and (@created_from::timestamptz is null or created_at >= @created_from)
              and (@created_before::timestamptz is null or created_at < @created_before)
              and (@after_at::timestamptz is null or (created_at, id) < (@after_at, @after_id))
            order by created_at desc, id desc
            limit @limit
            """, conn);
        var p = cmd.Parameters;
        p.AddWithValue("bank_id", NpgsqlDbType.Text, (object?)filter.BankId ?? DBNull.Value);
        p.AddWithValue("region", NpgsqlDbType.Text, (object?)filter.RegionWithin ?? DBNull.Value);
        p.AddWithValue("state", NpgsqlDbType.Text, filter.State is { } s ? s.ToCode() : DBNull.Value);
        p.AddWithValue("district", NpgsqlDbType.Text, (object?)filter.District ?? DBNull.Value);
        p.AddWithValue("created_from", NpgsqlDbType.TimestampTz, filter.CreatedFrom is { } f ? f.ToUniversalTime() : DBNull.Value);
        p.AddWithValue("created_before", NpgsqlDbType.TimestampTz, filter.CreatedBefore is { } b ? b.ToUniversalTime() : DBNull.Value);
        p.AddWithValue("after_at", NpgsqlDbType.TimestampTz, after is { } a ? a.CreatedAt.ToUniversalTime() : DBNull.Value);
        p.AddWithValue("after_id", NpgsqlDbType.Text, after is { } a2 ? a2.Id : DBNull.Value);
        p.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var loans = new List<LoanRecord>();
        while (await reader.ReadAsync(ct))
        {
            loans.Add(Read(reader));
        }
        return loans;
    }

    /// <summary>Loans of the person with this blind index that count toward the lifetime limit.</summary>
    public static async Task<PersonLoanCounts> CountPersonLoansAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, byte[] idNumberIndex, string excludingLoanId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select
              count(*) filter (where l.state in ('CURRENT','OVERDUE','EXTENDED','SETTLED','CLAIMED','COMPENSATED','RECOVERING','WRITTEN_OFF','CLOSED')),
              count(*) filter (where l.borrower_type = 'ENTERPRISE' and l.state in ('APPROVED','GUARANTEED','CURRENT','OVERDUE','EXTENDED','CLAIMED')),
              count(*) filter (where l.borrower_type <> 'ENTERPRISE' and l.state in ('APPROVED','GUARANTEED','CURRENT','OVERDUE','EXTENDED','CLAIMED'))
            from loans l
            where l.id <> @excluding and (l.id_number_index = @ix
               or exists (select 1 from loan_borrower_ids b where b.loan_id = l.id and b.id_number_index = @ix))
            """, conn, tx);
        cmd.Parameters.AddWithValue("ix", idNumberIndex);
        cmd.Parameters.AddWithValue("excluding", excludingLoanId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PersonLoanCounts((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }

    /// <summary>The partners' blind indexes, in the order of the borrower's partners list (position 1 first).</summary>
    public static async Task AddBorrowerIdsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string loanId, IEnumerable<byte[]> indexes, CancellationToken ct)
    {
        var position = 0;
        foreach (var index in indexes)
        {
            await using var cmd = new NpgsqlCommand(
                "insert into loan_borrower_ids (loan_id, id_number_index, partner_position) values (@loan, @ix, @position) on conflict do nothing", conn, tx);
            cmd.Parameters.AddWithValue("loan", loanId);
            cmd.Parameters.AddWithValue("ix", index);
            cmd.Parameters.AddWithValue("position", ++position);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Every recorded repayment of one loan (the facts overdue is derived from), oldest first.</summary>
    public static async Task<List<RecordedRepayment>> RepaymentsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string loanId, CancellationToken ct)
    {
        var all = await RepaymentsAsync(conn, tx, [loanId], ct);
        return all.TryGetValue(loanId, out var list) ? list : [];
    }

    /// <summary>Every recorded repayment of these loans, in one query, oldest first per loan.</summary>
    public static async Task<Dictionary<string, List<RecordedRepayment>>> RepaymentsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyCollection<string> loanIds, CancellationToken ct)
    {
        var result = new Dictionary<string, List<RecordedRepayment>>(StringComparer.Ordinal);
        if (loanIds.Count == 0)
        {
            return result;
        }
        await using var cmd = new NpgsqlCommand(
            """
            select loan_id, paid_date, interest_fen, principal_fen, interest_from_date
            from loan_repayments where loan_id = any(@ids) order by loan_id, id
            """, conn, tx);
        cmd.Parameters.AddWithValue("ids", loanIds.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
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
    public static async Task<IReadOnlyList<PriorLoan>> PriorLoansOfPersonAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, byte[] idNumberIndex,
        string excludingLoanId, CancellationToken ct)
    {
        var rows = await PriorLoansAsync(conn, tx,
            """
            select 0, l.id, l.state from loans l where l.id_number_index = @ix and l.id <> @excluding
            union
            select 0, l.id, l.state from loan_borrower_ids b join loans l on l.id = b.loan_id
            where b.id_number_index = @ix and l.id <> @excluding
            """, [("ix", idNumberIndex), ("excluding", excludingLoanId)], ct);
        return rows.TryGetValue(0, out var list) ? list : [];
    }

    /// <summary>Each partner's other loans, by the partner's 1-based position in the loan's partners list.</summary>
    public static Task<Dictionary<int, List<PriorLoan>>> PriorLoansOfPartnersAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string loanId, CancellationToken ct) =>
        PriorLoansAsync(conn, tx,
            """
            select b.partner_position, l.id, l.state from loan_borrower_ids b
            join loans l on l.id_number_index = b.id_number_index and l.id <> @loan
            where b.loan_id = @loan and b.partner_position is not null
            union
            select b.partner_position, l.id, l.state from loan_borrower_ids b
            join loan_borrower_ids o on o.id_number_index = b.id_number_index and o.loan_id <> @loan
            join loans l on l.id = o.loan_id
            where b.loan_id = @loan and b.partner_position is not null
            """, [("loan", loanId)], ct);

    /// <summary>Other loans of the same unified social credit code (one live loan per code; good payers only).</summary>
    public static async Task<IReadOnlyList<PriorLoan>> LoansOfCreditCodeAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string creditCode,
        string excludingLoanId, CancellationToken ct)
    {
        var rows = await PriorLoansAsync(conn, tx,
            "select 0, id, state from loans where credit_code = @code and id <> @excluding",
            [("code", creditCode), ("excluding", excludingLoanId)], ct);
        return rows.TryGetValue(0, out var list) ? list : [];
    }

    private static async Task<Dictionary<int, List<PriorLoan>>> PriorLoansAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql,
        (string Name, object Value)[] parameters, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql + " order by 1, 2 limit 1000", conn, tx);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        await using var r = await cmd.ExecuteReaderAsync(ct);
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
