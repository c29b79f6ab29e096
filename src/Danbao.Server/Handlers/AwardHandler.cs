using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Accounting;
using Danbao.Data.Subsidy;
using Danbao.Domain;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Reference;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;
using Google.Rpc;
using Npgsql;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.AwardService: incentive awards (奖补, policy.md §7). The cap is AWARD_POOL_CAP_BP (1%)
/// of the region's year of new guarantee lending; the proposal and the cap check are the domain's
/// <see cref="AwardPool"/>; the approved allocation is stored once per region and year and posted
/// as one ledger transaction (finance → each institution).
/// </summary>
public sealed class AwardHandler(Database database, WriteRunner writes, ReferenceDataCache reference, Ledger ledger, TimeProvider clock) : AwardService.AwardServiceBase
{
    private const int InstitutionsMax = 1_000;

    [Roles(Role.FinanceBureau)]
    public override async Task<AwardProposal> ProposeAwards(ProposeAwardsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (region, year) = Scope(caller, request.Region, request.Year);
        var scores = Scores(request.Scores.Select(s => (s.Institution, s.ScoreBp)).ToList(), "scores");
        var ct = context.CancellationToken;
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        var (lending, cap, versions) = await CapAsync(conn, null, region, year, ct);
        var candidates = scores.Select(s => new AwardCandidate(s.Id, new Money(lending.ByInstitutionFen.GetValueOrDefault(s.Id)), new Ratio(s.ScoreBp))).ToList();
        var proposal = AwardPool.Propose(cap.Cap, candidates);
        if (!proposal.IsOk)
        {
            throw proposal.Refusal.ToRpc();
        }
        var reply = new AwardProposal
        {
            Region = region,
            Year = year,
            NewLendingFen = lending.TotalFen,
            CapFen = cap.Cap.Fen,
            CapBp = cap.Share.Bp,
            TotalFen = proposal.Value.Sum(a => a.Amount.Fen),
        };
        reply.Lines.AddRange(proposal.Value.Select((a, i) => new AwardLine
        {
            Institution = "institutions/" + a.InstitutionId,
            NewLendingFen = candidates[i].NewLending.Fen,
            ScoreBp = scores[i].ScoreBp,
            AmountFen = a.Amount.Fen,
        }));
        reply.PolicyVersions.AddRange(versions.Select(LoanMappingRefs.Ref));
        return reply;
    }

    [Roles(Role.FinanceBureau)]
    public override Task<AwardAllocationSet> ApproveAwards(ApproveAwardsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = errors.Date("business_date", request.BusinessDate);
        var today = ChinaStandardTime.BusinessDate(clock.GetUtcNow());
        if (on > today)
        {
            errors.Add("business_date", $"must not be after today ({today:yyyy-MM-dd} CST)");
        }
        for (var i = 0; i < request.Awards.Count; i++)
        {
            if (request.Awards[i].AmountFen < 0)
            {
                errors.Add($"awards[{i}].amount_fen", "must not be negative");
            }
        }
        errors.ThrowIfAny();
        var (region, year) = Scope(caller, request.Region, request.Year);
        var scores = Scores(request.Awards.Select(a => (a.Institution, a.ScoreBp)).ToList(), "awards");
        var allocations = scores.Select((s, i) => new AwardAllocation(s.Id, new Money(request.Awards[i].AmountFen))).ToList();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            var (lending, cap, versions) = await CapAsync(scope.Connection, scope.Transaction, region, year, ct);
            var total = AwardPool.CheckTotal(allocations, cap.Cap);
            if (!total.IsOk)
            {
                throw (total.Refusal with { Versions = versions }).ToRpc();
            }
            await CheckInstitutionsAsync(scope, region, scores.Select(s => s.Id).ToArray());
            if (await AwardStore.FindAsync(scope.Connection, scope.Transaction, region, year, ct) is not null)
            {
                throw AlreadyApproved(region, year);
            }
            long? transactionId = null;
            var paid = allocations.Where(a => a.Amount > Money.Zero).ToList();
            if (paid.Count > 0)
            {
                var expense = $"finance:{scope.Caller.InstitutionId}:award_expense";
                await ledger.OpenAccountAsync(scope.Connection, scope.Transaction, new LedgerAccount(expense, LedgerAccountType.Expense, scope.Caller.InstitutionId), ct);
                var postings = new List<LedgerPosting> { LedgerPosting.Debit(expense, total.Value.Fen) };
                foreach (var a in paid)
                {
                    var payable = $"award:{a.InstitutionId}:award_payable";
                    await ledger.OpenAccountAsync(scope.Connection, scope.Transaction, new LedgerAccount(payable, LedgerAccountType.Liability, a.InstitutionId), ct);
                    postings.Add(LedgerPosting.Credit(payable, a.Amount.Fen));
                }
                transactionId = await ledger.PostAsync(scope.Connection, scope.Transaction, new LedgerTransactionRequest
                {
                    Kind = "award",
                    CauseType = "award_allocation",
                    CauseId = $"{region}:{year}",
                    RequestId = scope.RequestId,
                    FundingSource = "finance",
                    PolicyVersions = versions.Select(v => v.Id).ToArray(),
                    BusinessDate = on!.Value,
                    Postings = postings,
                }, ct);
            }
            var record = new AwardAllocationRecord(region, year, lending.TotalFen, cap.Cap.Fen, total.Value.Fen, scope.Caller.InstitutionId, on!.Value, transactionId,
                scores.Select((s, i) => new AwardLineRecord(s.Id, lending.ByInstitutionFen.GetValueOrDefault(s.Id), s.ScoreBp, allocations[i].Amount.Fen))
                    .OrderBy(l => l.InstitutionId, StringComparer.Ordinal).ToList());
            if (!await AwardStore.InsertAsync(scope.Connection, scope.Transaction, record, versions.Select(v => v.Id).ToArray(), ct))
            {
                throw AlreadyApproved(region, year);
            }
            await scope.AuditAsync("award_allocation", $"{region}:{year}", "award.approved", null, "APPROVED",
                new { cap_fen = cap.Cap.Fen, total_fen = total.Value.Fen, institutions = allocations.Count, ledger_transaction_id = transactionId }, on);
            return ToProto(record);
        });
    }

    [Roles(Role.FinanceBureau, Role.FundOperator, Role.EmploymentService, Role.Admin)]
    public override async Task<AwardAllocationSet> GetAwards(GetAwardsRequest request, ServerCallContext context)
    {
        var (region, year) = Scope(context.Caller(), request.Region, request.Year);
        await using var conn = await database.DataSource.OpenConnectionAsync(context.CancellationToken);
        var record = await AwardStore.FindAsync(conn, null, region, year, context.CancellationToken)
            ?? throw RpcErrors.NotFound("danbao.v1.AwardAllocationSet", $"{region}/{year}", $"no awards approved for {region} in {year}");
        return ToProto(record);
    }

    private async Task<(Danbao.Data.Subsidy.NewLending Lending, (Money Cap, Ratio Share) Cap, IReadOnlyList<Danbao.Domain.PolicyVersion> Versions)> CapAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, string region, int year, CancellationToken ct)
    {
        var lending = await AwardStore.NewLendingAsync(conn, tx, region, year, ct);
        var policy = await reference.GetAsync(ct);
        // The cap share in force at the end of the year governs that year's pool.
        var snapshot = policy.Resolver.At(new RegionCode(region), new DateOnly(year, 12, 31));
        var share = PolicyDecision.Run<Ratio>(() => snapshot.AwardPoolCap);
        if (!share.IsOk)
        {
            throw share.Refusal.ToRpc();
        }
        return (lending, (AwardPool.Cap(new Money(lending.TotalFen), share.Value), share.Value), snapshot.Used.ToArray());
    }

    private static (string Region, int Year) Scope(Identity.Caller caller, string requested, int year)
    {
        var region = requested.Length > 0 ? requested : caller.RegionCode;
        if (year is < 2021 or > 2100)
        {
            throw RpcErrors.InvalidArgument("year must be 2021 or later", ("year", "the calendar year of new lending, e.g. 2025"));
        }
        if (!caller.CoversRegion(region))
        {
            throw RpcErrors.PermissionDenied("REGION_NOT_COVERED", $"{caller.InstitutionId} may not act for region {region}");
        }
        return (region, year);
    }

    private static List<(string Id, int ScoreBp)> Scores(List<(string Institution, int ScoreBp)> items, string field)
    {
        var errors = new FieldErrors();
        if (items.Count is 0 or > InstitutionsMax)
        {
            errors.Add(field, $"between 1 and {InstitutionsMax} institutions");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, int)>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var (name, score) = items[i];
            if (!name.StartsWith("institutions/", StringComparison.Ordinal) || !seen.Add(name))
            {
                errors.Add($"{field}[{i}].institution", "an institution name, institutions/{id}, once");
            }
            if (score is < 0 or > 10_000)
            {
                errors.Add($"{field}[{i}].score_bp", "a score in [0, 10000] bp");
            }
            result.Add((name.StartsWith("institutions/", StringComparison.Ordinal) ? name["institutions/".Length..] : name, score));
        }
        errors.ThrowIfAny();
        return result;
    }

    /// <summary>Awards go to handling banks and fund operators of the region only.</summary>
    private static async Task CheckInstitutionsAsync(WriteScope scope, string region, string[] ids)
    {
        await using var cmd = new NpgsqlCommand(
            """
            select id from institutions
            where id = any(@ids) and role in ('BANK', 'FUND_OPERATOR') and (region_code = @region or region_code like @region || '-%')
            """, scope.Connection, scope.Transaction);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("region", region);
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using (var r = await cmd.ExecuteReaderAsync(scope.CancellationToken))
        {
            while (await r.ReadAsync(scope.CancellationToken))
            {
                found.Add(r.GetString(0));
            }
        }
        var missing = ids.Where(id => !found.Contains(id)).ToArray();
        if (missing.Length > 0)
        {
            throw RpcErrors.InvalidArgument($"not a bank or fund operator of {region}: {string.Join(", ", missing.Take(5))}",
                ("awards", "awards go to handling banks and fund operators of the region"));
        }
    }

    private static RpcException AlreadyApproved(string region, int year) =>
        RpcErrors.Build(StatusCode.AlreadyExists, $"awards for {region} in {year} are already approved and posted",
            new ErrorInfo { Reason = SubsidyReasons.AwardAlreadyApproved, Domain = RpcErrors.Domain });

    private static AwardAllocationSet ToProto(Danbao.Data.Subsidy.AwardAllocationRecord r)
    {
        var reply = new AwardAllocationSet
        {
            Region = r.RegionCode,
            Year = r.Year,
            NewLendingFen = r.NewLendingFen,
            CapFen = r.CapFen,
            TotalFen = r.TotalFen,
            LedgerTransactionId = r.LedgerTransactionId ?? 0,
            ApprovedDate = SubsidyMapping.Date(r.ApprovedDate),
        };
        reply.Lines.AddRange(r.Lines.Select(l => new AwardLine
        {
            Institution = "institutions/" + l.InstitutionId,
            NewLendingFen = l.NewLendingFen,
            ScoreBp = l.ScoreBp,
            AmountFen = l.AmountFen,
        }));
        return reply;
    }
}
