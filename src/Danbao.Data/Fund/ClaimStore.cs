using System.Text.Json;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Figures;
using Danbao.Domain.Loans;
using Danbao.Domain.Policy;
using Danbao.Data.Sessions;
using Npgsql;
using NpgsqlTypes;

namespace Danbao.Data.Fund;

/// <summary>A compensation claim as stored, with the row version its etag is made of.</summary>
public sealed record StoredClaim(CompensationClaimData Data, int Version);

/// <summary>
/// Persistence of the <see cref="CompensationClaim"/> aggregate: compensation_claims with its
/// consents and recoveries, a member of the request's <see cref="DbSession"/>. A claim is read in one
/// statement (consents and recoveries aggregated beside the row, also for a page of claims: no per-row
/// queries); a transition is queued (<see cref="Save"/>: the claim row, and the consent or recovery it
/// added or changed) and reaches PostgreSQL with the write's other effects in one batch.
/// </summary>
public sealed class ClaimStore(DbSession session)
{
    private const string Select = """
        select c.id, c.loan_id, c.bank_id, c.fund_id, c.region_code, c.guarantor_type, c.state, c.claim_date, c.overdue_days,
               c.claimable_on, c.filed_late, c.base_mode, c.outstanding_principal_fen, c.unpaid_interest_fen, c.base_fen, c.fund_share_bp,
               c.fund_fen, c.bank_fen, c.decided_date, c.rejection_reason, c.written_off_fund_fen, c.written_off_bank_fen,
               c.written_off_date, c.write_off_evidence, c.policy_version_ids, c.version,
               coalesce((select json_agg(json_build_object('stage', k.stage, 'party', k.party, 'institution', k.institution,
                            'reference', k.reference, 'date', k.consent_date) order by k.stage, k.party)
                         from claim_consents k where k.claim_id = c.id), '[]'),
               coalesce((select json_agg(json_build_object('number', r.number, 'by', r.recorded_by, 'institution', r.institution,
                            'date', r.recovered_date, 'gross', r.gross_fen, 'costs', r.costs_fen, 'status', r.status, 'fund', r.fund_fen,
                            'bank', r.bank_fen, 'after', r.after_write_off, 'posted', r.posted_date, 'reason', r.refusal_reason) order by r.number)
                         from claim_recoveries r where r.claim_id = c.id), '[]')
        from compensation_claims c
        """;

    /// <summary>The claim, locked FOR UPDATE (of the claim row) when <paramref name="forUpdate"/>; for a batch.</summary>
    public Query<StoredClaim?> Find(string id, bool forUpdate)
    {
        var cmd = new NpgsqlBatchCommand(Select + " where c.id = @id" + (forUpdate ? " for update of c" : ""));
        cmd.Parameters.AddWithValue("id", id);
        return new Query<StoredClaim?>(cmd, async (r, ct) => await r.ReadAsync(ct) ? Read(r) : null);
    }

    public Task<StoredClaim?> FindAsync(string id, bool forUpdate) => session.ReadAsync(Find(id, forUpdate));

    /// <summary>Claims visible under a filter, by id, after a cursor id: one statement for the page.</summary>
    public Task<List<StoredClaim>> ListAsync(ClaimFilter filter, string? afterId, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var cmd = new NpgsqlBatchCommand(Select + """
             where (@bank = '' or c.bank_id = @bank)
              and (@fund = '' or c.fund_id = @fund)
              and (@region = '' or c.region_code = @region or c.region_code like @region || '-%')
              and (@state = '' or c.state = @state)
              and c.id > @after
            order by c.id limit @limit
            """);
        cmd.Parameters.AddWithValue("bank", filter.BankId ?? "");
        cmd.Parameters.AddWithValue("fund", filter.FundId ?? "");
        cmd.Parameters.AddWithValue("region", filter.RegionWithin ?? "");
        cmd.Parameters.AddWithValue("state", filter.State is { } s ? s.ToCode() : "");
        cmd.Parameters.AddWithValue("after", afterId ?? "");
        cmd.Parameters.AddWithValue("limit", limit);
        return session.ReadAsync(new Query<List<StoredClaim>>(cmd, async (r, ct) =>
        {
            var list = new List<StoredClaim>();
            while (await r.ReadAsync(ct))
            {
                list.Add(Read(r));
            }
            return list;
        }));
    }

    /// <summary>
    /// Queues a filed claim; <paramref name="exists"/> is thrown when the batch runs if the loan already
    /// has a live (filed or paid) claim (the insert then does nothing).
    /// </summary>
    public void Insert(CompensationClaimData c, Func<Exception> exists)
    {
        ArgumentNullException.ThrowIfNull(c);
        var cmd = new NpgsqlBatchCommand(
            """
            insert into compensation_claims (id, loan_id, bank_id, fund_id, region_code, guarantor_type, state, claim_date, overdue_days,
                claimable_on, filed_late, outstanding_principal_fen, unpaid_interest_fen, base_mode, base_fen, fund_share_bp, fund_fen, bank_fen,
                policy_version_ids)
            values (@id, @loan, @bank, @fund, @region, @guarantor, @state, @date, @overdue, @claimable, @late, @principal, @interest, @mode,
                @base, @share, @fundfen, @bankfen, @versions)
            on conflict (loan_id) where state <> 'REJECTED' do nothing
            """);
        var p = cmd.Parameters;
        p.AddWithValue("id", c.Id);
        p.AddWithValue("loan", c.LoanId);
        p.AddWithValue("bank", c.BankId);
        p.AddWithValue("fund", c.FundId);
        p.AddWithValue("region", c.Region.Value);
        p.AddWithValue("guarantor", c.Guarantor.ToCode());
        p.AddWithValue("state", c.State.ToCode());
        p.AddWithValue("date", c.ClaimDate);
        p.AddWithValue("overdue", c.OverdueDays);
        p.AddWithValue("claimable", c.ClaimableOn);
        p.AddWithValue("late", c.FiledLate);
        p.AddWithValue("principal", c.OutstandingPrincipal.Fen);
        p.AddWithValue("interest", c.UnpaidInterest.Fen);
        p.AddWithValue("mode", BaseModeCode(c.BaseMode));
        p.AddWithValue("base", c.Base.Fen);
        p.AddWithValue("share", c.FundShare.Bp);
        p.AddWithValue("fundfen", c.FundPays.Fen);
        p.AddWithValue("bankfen", c.BankBears.Fen);
        p.AddWithValue("versions", c.PolicyVersionIds.ToArray());
        // The partial unique index compensation_claims_one_live_per_loan is the arbiter.
        session.Queue(cmd, rows => rows == 1 ? Task.CompletedTask : throw exists());
    }

    /// <summary>
    /// Queues a transition: the claim row if still at <paramref name="expectedVersion"/> (otherwise
    /// <paramref name="conflict"/> is thrown when the batch runs), and the consent or recovery the
    /// transition added or changed.
    /// </summary>
    public void Save(ClaimOutcome outcome, int expectedVersion, string requestId, Func<Exception> conflict)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var c = outcome.Data;
        var update = new NpgsqlBatchCommand(
            """
            update compensation_claims set state = $1, decided_date = $2, rejection_reason = $3,
                recovered_net_fen = $4, recovered_fund_fen = $5, recovered_bank_fen = $6,
                written_off_fund_fen = $7, written_off_bank_fen = $8, written_off_date = $9, write_off_evidence = $10,
                policy_version_ids = $11, version = version + 1, updated_at = now()
            where id = $12 and version = $13
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = c.State.ToCode() });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)c.DecidedDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)c.RejectionReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        update.Parameters.Add(new NpgsqlParameter { Value = c.RecoveredNet.Fen });
        update.Parameters.Add(new NpgsqlParameter { Value = c.RecoveredFund.Fen });
        update.Parameters.Add(new NpgsqlParameter { Value = c.RecoveredBank.Fen });
        update.Parameters.Add(new NpgsqlParameter { Value = c.WrittenOffFund.Fen });
        update.Parameters.Add(new NpgsqlParameter { Value = c.WrittenOffBank.Fen });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)c.WrittenOffDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        update.Parameters.Add(new NpgsqlParameter { Value = (object?)c.WriteOffEvidence ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        update.Parameters.Add(new NpgsqlParameter { Value = c.PolicyVersionIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        update.Parameters.Add(new NpgsqlParameter { Value = c.Id });
        update.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        session.Queue(update, rows => rows == 1 ? Task.CompletedTask : throw conflict());
        if (outcome.Consent is { } k)
        {
            var insert = new NpgsqlBatchCommand(
                "insert into claim_consents (claim_id, stage, party, institution, reference, consent_date) values ($1, $2, $3, $4, $5, $6)");
            foreach (var value in new object[] { c.Id, k.Stage.ToCode(), k.Party.ToCode(), k.Institution, k.Reference, k.ConsentDate })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            session.Queue(insert);
        }
        if (outcome.Recovery is { } r)
        {
            session.Queue(RecoveryUpsert(c.Id, r, requestId));
        }
    }

    private static NpgsqlBatchCommand RecoveryUpsert(string claimId, ClaimRecovery r, string requestId)
    {
        var cmd = new NpgsqlBatchCommand(
            """
            insert into claim_recoveries (claim_id, number, recorded_by, institution, recovered_date, gross_fen, costs_fen, net_fen,
                status, fund_fen, bank_fen, after_write_off, posted_date, refusal_reason, request_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            on conflict (claim_id, number) do update set status = excluded.status, fund_fen = excluded.fund_fen, bank_fen = excluded.bank_fen,
                after_write_off = excluded.after_write_off, posted_date = excluded.posted_date, refusal_reason = excluded.refusal_reason
            """);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter { Value = claimId });
        p.Add(new NpgsqlParameter { Value = r.Number });
        p.Add(new NpgsqlParameter { Value = RecorderCode(r.RecordedBy) });
        p.Add(new NpgsqlParameter { Value = r.Institution });
        p.Add(new NpgsqlParameter { Value = r.RecoveredDate });
        p.Add(new NpgsqlParameter { Value = r.Gross.Fen });
        p.Add(new NpgsqlParameter { Value = r.Costs.Fen });
        p.Add(new NpgsqlParameter { Value = r.Net.Fen });
        p.Add(new NpgsqlParameter { Value = StatusCode(r.Status) });
        p.Add(new NpgsqlParameter { Value = (object?)r.Split?.Fund.Fen ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = (object?)r.Split?.Bank.Fen ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = r.AfterWriteOff });
        p.Add(new NpgsqlParameter { Value = (object?)r.PostedDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        p.Add(new NpgsqlParameter { Value = (object?)r.RefusalReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = requestId });
        return cmd;
    }

    public static string BaseModeCode(CompensationBaseMode mode) => mode == CompensationBaseMode.PrincipalOnly ? "PRINCIPAL_ONLY" : "PRINCIPAL_AND_INTEREST";

    public static string RecorderCode(RecoveryRecorder by) => by == RecoveryRecorder.Bank ? "BANK" : "FUND_OPERATOR";

    public static string StatusCode(RecoveryStatus status) => status switch
    {
        RecoveryStatus.Pending => "PENDING",
        RecoveryStatus.Posted => "POSTED",
        _ => "REFUSED",
    };

    private static StoredClaim Read(NpgsqlDataReader r)
    {
        var fundShare = new Ratio(r.GetInt32(15));
        var data = new CompensationClaimData
        {
            Id = r.GetString(0),
            LoanId = r.GetString(1),
            BankId = r.GetString(2),
            FundId = r.GetString(3),
            Region = new RegionCode(r.GetString(4)),
            Guarantor = GuarantorTypeCodes.FromCode(r.GetString(5)),
            State = CompensationClaimStateCodes.FromCode(r.GetString(6)),
            ClaimDate = r.GetFieldValue<DateOnly>(7),
            OverdueDays = r.GetInt32(8),
            ClaimableOn = r.GetFieldValue<DateOnly>(9),
            FiledLate = r.GetBoolean(10),
            BaseMode = r.GetString(11) == "PRINCIPAL_ONLY" ? CompensationBaseMode.PrincipalOnly : CompensationBaseMode.PrincipalAndInterest,
            OutstandingPrincipal = new Money(r.GetInt64(12)),
            UnpaidInterest = new Money(r.GetInt64(13)),
            Split = new SplitAmounts(new Money(r.GetInt64(14)), fundShare, new Money(r.GetInt64(16)), new Money(r.GetInt64(17))),
            DecidedDate = r.IsDBNull(18) ? null : r.GetFieldValue<DateOnly>(18),
            RejectionReason = r.IsDBNull(19) ? null : r.GetString(19),
            WrittenOffFund = new Money(r.GetInt64(20)),
            WrittenOffBank = new Money(r.GetInt64(21)),
            WrittenOffDate = r.IsDBNull(22) ? null : r.GetFieldValue<DateOnly>(22),
            WriteOffEvidence = r.IsDBNull(23) ? null : r.GetString(23),
            PolicyVersionIds = r.GetFieldValue<string[]>(24),
            Consents = ReadConsents(r.GetString(26)),
            Recoveries = ReadRecoveries(r.GetString(27), fundShare),
        };
        return new StoredClaim(data, r.GetInt32(25));
    }

    private static ClaimConsent[] ReadConsents(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => new ClaimConsent(
            e.GetProperty("stage").GetString() == "COMPENSATION" ? ClaimConsentStage.Compensation : ClaimConsentStage.WriteOff,
            e.GetProperty("party").GetString() switch { "HRSS" => ClaimConsentParty.Hrss, "FINANCE" => ClaimConsentParty.Finance, _ => ClaimConsentParty.Pboc },
            e.GetProperty("institution").GetString()!,
            e.GetProperty("reference").GetString()!,
            DateOnly.Parse(e.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
    }

    private static ClaimRecovery[] ReadRecoveries(string json, Ratio fundShare)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e =>
        {
            var status = e.GetProperty("status").GetString() switch { "PENDING" => RecoveryStatus.Pending, "POSTED" => RecoveryStatus.Posted, _ => RecoveryStatus.Refused };
            var gross = new Money(e.GetProperty("gross").GetInt64());
            var costs = new Money(e.GetProperty("costs").GetInt64());
            return new ClaimRecovery
            {
                Number = e.GetProperty("number").GetInt32(),
                RecordedBy = e.GetProperty("by").GetString() == "BANK" ? RecoveryRecorder.Bank : RecoveryRecorder.FundOperator,
                Institution = e.GetProperty("institution").GetString()!,
                RecoveredDate = Date(e.GetProperty("date"))!.Value,
                Gross = gross,
                Costs = costs,
                Status = status,
                Split = status == RecoveryStatus.Posted
                    ? new SplitAmounts(gross - costs, fundShare, new Money(e.GetProperty("fund").GetInt64()), new Money(e.GetProperty("bank").GetInt64()))
                    : null,
                AfterWriteOff = e.GetProperty("after").GetBoolean(),
                PostedDate = Date(e.GetProperty("posted")),
                RefusalReason = e.GetProperty("reason").ValueKind == JsonValueKind.Null ? null : e.GetProperty("reason").GetString(),
            };
        }).ToArray();
    }

    private static DateOnly? Date(JsonElement e) =>
        e.ValueKind == JsonValueKind.Null ? null : DateOnly.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Which claims a caller may list: a bank its own, a fund operator its fund's, regional bodies their region's.</summary>
public sealed record ClaimFilter(string? BankId, string? FundId, string? RegionWithin, CompensationClaimState? State);
