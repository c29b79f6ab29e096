using Danbao.Contracts.V1;
using Danbao.Data.Accounting;
using Danbao.Data.Policy;
using Danbao.Data.Sessions;
using Danbao.Data.Subsidy;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Subsidy;
using Danbao.Domain.Time;
using Danbao.Domain.Awards;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Resources;
using Danbao.Server.Loans;
using Danbao.Server.Reference;
using Danbao.Server.Subsidy;
using Danbao.Server.Validation;
using Google.Rpc;
using DomainAwardAmount = Danbao.Domain.Awards.AwardAmount;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.AwardService: incentive awards (奖补, policy.md §7). The cap is AWARD_POOL_CAP_BP (1%)
/// of the region's year of new guarantee lending; the proposal and the cap check are the domain's
/// <see cref="AwardPool"/>; the approved allocation is stored once per region and year and posted
/// as one ledger transaction (finance → each institution). What a decision reads is one batch: the
/// call's <see cref="ReadSession"/> for a proposal, the write's session (with the claim and the year's lock) for an approval.
/// </summary>
public sealed class AwardHandler(ReadSession reads, WriteRunner writes, ReferenceDataCache reference, TimeProvider clock) : AwardService.AwardServiceBase
{
    private const int InstitutionsMax = 1_000;


    [Roles(Role.FinanceBureau)]
    public override async Task<AwardProposal> ProposeAwards(ProposeAwardsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var (region, year) = Scope(caller, request.Region, request.Year);
        var scores = Scores(request.Scores.Select(s => (s.Institution, s.ScoreBp)).ToList(), "scores");
        var ct = context.CancellationToken;
        var session = await reads.GetAsync(ct);
        var inputs = await session.Awards.LoadInputsAsync(region, year, scores.Select(s => s.Id).ToArray());
        // A proposal shows the pool as it stands for this region, even after its own approval (which it leaves out).
        var decision = Open(inputs, await reference.GetAsync(ct), region, year, Today(), leaveOutOwn: true);
        var recipients = Recipients(inputs, region, scores, [.. scores.Select(_ => 0L)]);
        var proposal = decision.Propose(recipients.Select(r => r.Recipient).ToArray());
        if (!proposal.IsOk)
        {
            throw proposal.Refusal.ToRpc();
        }
        var reply = new AwardProposal
        {
            Region = region,
            Year = year,
            NewLendingFen = decision.NewLending.Fen,
            CapFen = decision.Limit.CapByShare.Fen,
            CapBp = decision.Limit.Share.Bp,
            PoolFen = decision.Pool.Fen,
            PoolExplanation = decision.Limit.Explanation,
            TotalFen = Money.Sum(proposal.Value.Select(a => a.Amount)).Fen,
        };
        reply.Lines.AddRange(proposal.Value.Select((a, i) => new AwardLine
        {
            Institution = ResourceNames.Institution.Format(a.Recipient.InstitutionId),
            NewLendingFen = a.Recipient.NewLending.Fen,
            ScoreBp = scores[i].ScoreBp,
            AmountFen = a.Amount.Fen,
        }));
        reply.PolicyVersions.AddRange(decision.Versions.Select(LoanMappingRefs.Ref));
        return reply;
    }

    [Roles(Role.FinanceBureau)]
    public override Task<AwardAllocationSet> ApproveAwards(ApproveAwardsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var on = errors.Date("business_date", request.BusinessDate);
        var today = Today();
        if (on is { } date)
        {
            errors.NotAfterToday("business_date", date, today);
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
        var amounts = request.Awards.Select(a => a.AmountFen).ToArray();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var ct = scope.CancellationToken;
            // Decisions of one year are taken one at a time: nested regions award on the same lending. The lock
            // goes with the claim and the load, in one round trip.
            scope.Session.Awards.LockYear(year);
            var inputs = await scope.Session.Awards.LoadInputsAsync(region, year, scores.Select(s => s.Id).ToArray());
            var decision = Open(inputs, await reference.GetAsync(ct), region, year, on!.Value);
            var recipients = Recipients(inputs, region, scores, amounts);
            var approved = decision.Approve(recipients, scope.Caller.InstitutionId, on.Value, today);
            if (!approved.IsOk)
            {
                throw Refused(approved.Refusal, region, year);
            }
            var versionIds = decision.Versions.Select(v => v.Id).ToArray();
            long? transactionId = approved.Value is { } recipe
                ? await RecipePosting.PostAsync(scope.Session, recipe, scope.RequestId, versionIds)
                : null;
            var record = new AwardAllocationRecord(region, year, decision.NewLending.Fen, decision.Limit.CapByShare.Fen, decision.Total.Fen, scope.Caller.InstitutionId,
                on.Value, transactionId,
                decision.Amounts.Select((a, i) => new AwardLineRecord(a.Recipient.InstitutionId, a.Recipient.NewLending.Fen, scores[i].ScoreBp, a.Amount.Fen))
                    .OrderBy(l => l.InstitutionId, StringComparer.Ordinal).ToList()) { PoolFen = decision.Pool.Fen };
            // Queued with the audit event and the stored reply: one round trip before COMMIT.
            scope.Session.Awards.Insert(record, versionIds, exists: () => AlreadyApproved(region, year));
            await scope.AuditAsync("award_allocation", $"{region}:{year}", "award.approved", null, "APPROVED",
                new { cap_fen = record.CapFen, pool_fen = decision.Pool.Fen, total_fen = record.TotalFen, institutions = record.Lines.Count, ledger_transaction_id = transactionId }, on);
            return ToProto(record);
        }, claimWithLoad: true);
    }

    [Roles(Role.FinanceBureau, Role.FundOperator, Role.EmploymentService, Role.Admin)]
    public override async Task<AwardAllocationSet> GetAwards(GetAwardsRequest request, ServerCallContext context)
    {
        var (region, year) = Scope(context.Caller(), request.Region, request.Year);
        var session = await reads.GetAsync(context.CancellationToken);
        var record = await session.Awards.FindAsync(region, year)
            ?? throw RpcErrors.NotFound("danbao.v1.AwardAllocationSet", $"{region}/{year}", $"no awards approved for {region} in {year}");
        return ToProto(record);
    }

    private DateOnly Today() => BusinessDates.Today(clock);

    /// <summary>Opens the decision on what was loaded (lending, the year's decided awards, the recipient rule) and the policy.</summary>
    private static AwardDecision Open(AwardInputs inputs, PolicyReferenceData policy, string region, int year, DateOnly decisionDate, bool leaveOutOwn = false)
    {
        var decided = inputs.Decided.Where(d => !leaveOutOwn || d.RegionCode != region).ToArray();
        var rule = inputs.RecipientKinds.Count == 0 ? AwardRecipientRule.Default : new AwardRecipientRule(inputs.RecipientKinds.Select(KindOf).ToHashSet(), inputs.RecipientKindsSource);
        var opened = AwardDecision.Open(new RegionCode(region), year, decisionDate, new Money(inputs.Lending.TotalFen),
            decided.Select(d => new RegionAward(new RegionCode(d.RegionCode), new Money(d.NewLendingFen), new Money(d.CapFen), new Money(d.TotalFen))).ToArray(),
            rule, policy.Resolver);
        return opened.IsOk ? opened.Value : throw Refused(opened.Refusal, region, year);
    }

    /// <summary>Each named institution with its kind and its part of the year's lending; one not of the region → INVALID_ARGUMENT.</summary>
    private static DomainAwardAmount[] Recipients(AwardInputs inputs, string region, List<(string Id, int ScoreBp)> scores, long[] amountsFen)
    {
        var kinds = inputs.InstitutionKinds;
        var missing = scores.Where(s => !kinds.ContainsKey(s.Id)).Select(s => s.Id).ToArray();
        if (missing.Length > 0)
        {
            throw RpcErrors.InvalidArgument($"not an institution of {region} that can receive awards: {string.Join(", ", missing.Take(5))}",
                ("awards", "name institutions of the region (banks, fund operators, or the kinds the region names)"));
        }
        return scores.Select((s, i) => new DomainAwardAmount(
            new AwardRecipient(s.Id, KindOf(kinds[s.Id]), new Money(inputs.Lending.ByInstitutionFen.GetValueOrDefault(s.Id)), new Ratio(s.ScoreBp)),
            new Money(amountsFen[i]))).ToArray();
    }

    private static InstitutionKind KindOf(string code) => code switch
    {
        "HANDLING_BANK" => InstitutionKind.HandlingBank,
        "FUND_OPERATOR" => InstitutionKind.FundOperator,
        "GOVERNMENT_GUARANTEE_INSTITUTION" => InstitutionKind.GovernmentGuaranteeInstitution,
        "EMPLOYMENT_SERVICE" => InstitutionKind.EmploymentService,
        "OTHER_NAMED_UNIT" => InstitutionKind.OtherNamedUnit,
        _ => throw new FormatException($"'{code}' is not an award recipient kind"),
    };

    private static RpcException Refused(Refusal refusal, string region, int year) =>
        refusal.Code == SubsidyReasons.AwardAlreadyApproved ? AlreadyApproved(region, year) : refusal.ToRpc();

    private static (string Region, int Year) Scope(Identity.Caller caller, string requested, int year)
    {
        var region = requested.Length > 0 ? requested : caller.RegionCode;
        if (year is < 2021 or > 2100)
        {
            throw RpcErrors.InvalidArgument("year must be 2021 or later", ("year", "the calendar year of new lending, e.g. 2025"));
        }
        if (!AccessPolicy.CoversRegion(caller, region))
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
            if (!ResourceNames.Institution.TryParse(name, out var id) || !seen.Add(name))
            {
                errors.Add($"{field}[{i}].institution", ResourceNames.Institution.Shape + ", once");
            }
            if (score is < 0 or > 10_000)
            {
                errors.Add($"{field}[{i}].score_bp", "a score in [0, 10000] bp");
            }
            result.Add((id.Length > 0 ? id : name, score));
        }
        errors.ThrowIfAny();
        return result;
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
            PoolFen = r.PoolFen ?? r.CapFen,
        };
        reply.Lines.AddRange(r.Lines.Select(l => new AwardLine
        {
            Institution = ResourceNames.Institution.Format(l.InstitutionId),
            NewLendingFen = l.NewLendingFen,
            ScoreBp = l.ScoreBp,
            AmountFen = l.AmountFen,
        }));
        return reply;
    }
}
