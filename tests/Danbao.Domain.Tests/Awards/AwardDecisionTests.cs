using Danbao.Domain.Awards;
using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class AwardDecisionTests
{
    private static Money Yi(decimal yi) => Money.FromYuan(yi * 100_000_000m);

    private static Money Wan(decimal wan) => Money.FromYuan(wan * 10_000m);

    private static readonly AwardRecipient BankA = new("bank-a", InstitutionKind.HandlingBank, Yi(1.5m), Ratio.FromBp(10_000));
    private static readonly AwardRecipient BankB = new("bank-b", InstitutionKind.HandlingBank, Yi(0.99m), Ratio.FromBp(8_000));

    private static Result<AwardDecision> Open(RegionCode region, Money lending, string on = "2026-01-05", int year = 2025,
        IReadOnlyList<RegionAward>? decided = null, AwardRecipientRule? rule = null, PolicyResolver? policy = null) =>
        AwardDecision.Open(region, year, D(on), lending, decided ?? [], rule ?? AwardRecipientRule.Default, policy ?? PolicySeed.Resolver);

    [Fact]
    public void A_year_is_awarded_only_after_31_december()
    {
        Assert.Equal(SubsidyReasons.AwardYearNotEnded, Open(RegionCode.Guangzhou, Yi(2.49m), "2025-12-31").Refusal!.Code);
        var decision = Open(RegionCode.Guangzhou, Yi(2.49m), "2026-01-01").Value;
        Assert.Equal(SubsidyReasons.AwardYearNotEnded, decision.Approve([new(BankA, Wan(1))], "gz-finance", D("2025-12-31"), D("2026-01-05")).Refusal!.Code);
    }

    [Fact]
    public void Example_9_pool_of_249_wan_is_split_pro_rata_times_score_to_the_fen_and_one_fen_more_is_refused()
    {
        var decision = Open(RegionCode.Guangzhou, Yi(2.49m)).Value;
        Assert.Equal(Wan(249), decision.Pool);
        var proposal = decision.Propose([BankA, BankB]).Value;
        // 2,490,000 × 1.5 / 2.292 = 1,629,581.151… ; × 0.792 / 2.292 = 860,418.848…: largest remainder gives B the fen.
        Assert.Equal([Yuan("1629581.15"), Yuan("860418.85")], proposal.Select(p => p.Amount));
        var over = decision.Approve([new(BankA, Yuan("1629581.15")), new(BankB, Yuan("860418.86"))], "gz-finance", D("2026-01-05"), D("2026-01-05"));
        Assert.Equal(ReasonCodes.AwardAboveCap, over.Refusal!.Code);
        var recipe = decision.Approve(proposal, "gz-finance", D("2026-01-05"), D("2026-01-05")).Value!;
        Assert.Equal(
            [LedgerLeg.Debit("finance:gz-finance:award_expense", Wan(249)), LedgerLeg.Credit("award:bank-a:award_payable", Yuan("1629581.15")), LedgerLeg.Credit("award:bank-b:award_payable", Yuan("860418.85"))],
            recipe.Legs);
        Assert.Equal((AwardDecisionState.Approved, Wan(249)), (decision.State, decision.Total));
        Assert.Equal(SubsidyReasons.AwardAlreadyApproved, decision.Approve(proposal, "gz-finance", D("2026-01-05"), D("2026-01-05")).Refusal!.Code);
    }

    [Fact]
    public void A_province_and_a_city_below_it_never_both_award_1_percent_of_the_same_lending()
    {
        // Guangdong lent 10亿 in 2025, 2.49亿 of it in Guangzhou. Province first, awarding its whole 1000万:
        var province = new RegionAward(RegionCode.Guangdong, Yi(10m), Wan(1000), Wan(1000));
        Assert.Equal(Money.Zero, Open(RegionCode.Guangzhou, Yi(2.49m), decided: [province]).Value.Pool);
        // City first, awarding its 249万: the province has 1000万 − 249万 left.
        var city = new RegionAward(RegionCode.Guangzhou, Yi(2.49m), Wan(249), Wan(249));
        var gd = Open(RegionCode.Guangdong, Yi(10m), decided: [city]).Value;
        Assert.Equal((Wan(751), Wan(249)), (gd.Pool, gd.Limit.AwardedOnSameLending));
        // A sibling city's award does not touch Guangzhou's lending while the province has not decided...
        var shenzhen = new RegionAward(RegionCode.Shenzhen, Yi(3m), Wan(300), Wan(300));
        Assert.Equal(Wan(249), Open(RegionCode.Guangzhou, Yi(2.49m), decided: [shenzhen]).Value.Pool);
        // ...but once the province awarded 600万, it has 1000 − 600 − 300 = 100万 left for Guangzhou's loans.
        var partial = province with { Awarded = Wan(600) };
        Assert.Equal(Wan(100), Open(RegionCode.Guangzhou, Yi(2.49m), decided: [shenzhen, partial]).Value.Pool);
        Assert.Equal(SubsidyReasons.AwardAlreadyApproved, Open(RegionCode.Guangzhou, Yi(2.49m), decided: [city]).Refusal!.Code);
    }

    [Fact]
    public void Recipients_are_units_of_the_kinds_the_region_names_not_only_banks_and_fund_operators()
    {
        var guarantor = new AwardRecipient("gz-guarantee", InstitutionKind.GovernmentGuaranteeInstitution, Yi(0.5m), Ratio.FromBp(10_000));
        var byDefault = Open(RegionCode.Guangzhou, Yi(2.49m)).Value;
        Assert.Equal(SubsidyReasons.AwardRecipientNotNamed, byDefault.Propose([BankA, guarantor]).Refusal!.Code);
        var named = new AwardRecipientRule(new HashSet<InstitutionKind> { InstitutionKind.HandlingBank, InstitutionKind.FundOperator, InstitutionKind.GovernmentGuaranteeInstitution },
            "经办银行、担保基金运营管理机构等单位");
        var decision = Open(RegionCode.Guangzhou, Yi(2.49m), rule: named).Value;
        var proposal = decision.Propose([BankA, guarantor]).Value;
        Assert.Equal(Wan(249), Money.Sum(proposal.Select(p => p.Amount)));
        Assert.True(decision.Approve(proposal, "gz-finance", D("2026-01-05"), D("2026-01-05")).IsOk);
    }

    [Fact]
    public void The_1_percent_rule_is_the_version_in_force_on_the_years_last_day_in_the_region()
    {
        // 穗人社规字〔2024〕2号, in force from 2024-02-06 for five years (migration 0061).
        var policy = PolicySeed.Resolver;
        Assert.Equal(["CN-GD-GZ:AWARD_POOL_CAP_BP:2024-02-06"], Open(RegionCode.Guangzhou, Yi(2.49m), "2025-01-02", 2024, policy: policy).Value.Versions.Select(v => v.Id));
        Assert.Equal(["CN:AWARD_POOL_CAP_BP:2020-01-01"], Open(RegionCode.Guangzhou, Yi(2.49m), "2024-01-02", 2023, policy: policy).Value.Versions.Select(v => v.Id));
        // The share is read, not assumed: a (hypothetical) 0.5% version halves the pool.
        var half = PolicyVersion.FromRow("CN-GD-JM:AWARD_POOL_CAP_BP:2024-01-01", PolicyParameters.AwardPoolCapBp, "CN-GD-JM", D("2024-01-01"), "50", "test");
        Assert.Equal(Yuan("1245000.00"), Open(RegionCode.Jiangmen, Yi(2.49m), policy: new PolicyResolver(policy.Versions.Append(half))).Value.Pool);
    }

    private static readonly RegionCode[] Tree =
    [
        RegionCode.National, RegionCode.Guangdong, RegionCode.Guangzhou, RegionCode.Shenzhen, RegionCode.Jiangmen,
        new("CN-FJ"), new("CN-FJ-XM"),
    ];

    [Fact]
    public void Whatever_order_nested_regions_decide_in_no_lending_carries_more_than_its_1_percent() =>
        Prop.ForAll(
            (from direct in Gen.ArrayOf(Gen.Choose(0, 1_000_000), Tree.Length)
             from order in Gen.Shuffle(Enumerable.Range(0, Tree.Length).ToArray())
             from deciders in Gen.Choose(1, Tree.Length)
             from scores in Gen.ArrayOf(Gen.Choose(0, 10_000), 3)
             select (direct, order, deciders, scores)).ToArbitrary(),
            t =>
            {
                // Each region's lending: its own loans (in yuan ×100,000 fen) plus those of the regions within it.
                Money Lending(RegionCode r) => Money.Sum(Tree.Select((x, i) => x.IsWithin(r) ? Money.FromFen(t.direct[i] * 100_000L) : Money.Zero));
                var decided = new List<RegionAward>();
                foreach (var i in t.order.Take(t.deciders))
                {
                    var region = Tree[i];
                    var decision = Open(region, Lending(region), decided: decided).Value;
                    var recipients = t.scores.Select((s, k) => new AwardRecipient($"{region}-{k}", InstitutionKind.HandlingBank, Lending(region), Ratio.FromBp(s))).ToArray();
                    var proposal = decision.Propose(recipients).Value;
                    if (Money.Sum(proposal.Select(p => p.Amount)) > decision.Pool)
                        return false;
                    // The bureau may give less than proposed; here it gives the whole proposal.
                    if (!decision.Approve(proposal, "fb", D("2026-01-05"), D("2026-01-05")).IsOk)
                        return false;
                    decided.Add(new RegionAward(region, Lending(region), decision.Limit.CapByShare, decision.Total));
                }
                // Lending counts once: for every region, its award plus those within it stay within 1% of its lending.
                return Tree.All(x => Money.Sum(decided.Where(d => d.Region.IsWithin(x)).Select(d => d.Awarded)) <= AwardPool.Cap(Lending(x), Ratio.FromBp(100)));
            }).QuickCheckThrowOnFailure();
}
