using FsCheck;
using FsCheck.Fluent;
using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>
/// Invariants of the claim over random inputs: splits add up to the fen, cumulative recoveries
/// never exceed the compensation, every recovery's fund and bank parts sum to it, and the posted
/// recipes leave each claim account holding exactly what the claim says.
/// </summary>
public class CompensationClaimPropertyTests
{
    private static readonly Gen<int> Shares = Gen.Choose(0, 10_000);

    [Fact]
    public void A_filed_claim_splits_its_base_exactly_to_the_fen_with_the_fund_rounded_down() =>
        Prop.ForAll(
            (from bp in Shares
             from principalYuan in Gen.Choose(1, 4_000_000)
             from principalFen in Gen.Choose(0, 99)
             from interestFen in Gen.Choose(0, 50_000_000)
             select (bp, principal: Money.FromFen((principalYuan * 100L) + principalFen), interest: Money.FromFen(interestFen))).ToArbitrary(),
            t =>
            {
                var filing = Filing(t.bp) with { OutstandingPrincipal = t.principal, UnpaidNormalInterest = t.interest };
                var claim = CompensationClaim.File(filing, PolicyOn(ClaimDate)).Value.Data;
                var exactFund = (decimal)claim.Base.Fen * t.bp / 10_000m;
                return claim.FundPays + claim.BankBears == claim.Base
                    && claim.Base == t.principal + t.interest
                    && claim.FundPays.Fen == (long)Math.Floor(exactFund)
                    && !claim.BankBears.IsNegative;
            }).QuickCheckThrowOnFailure();

    /// <summary>One step of a random recovery history.</summary>
    private sealed record Step(int Kind, int NetFen, int CostsFen);

    [Fact]
    public void Over_any_history_recoveries_stay_within_the_compensation_and_the_ledger_matches_the_claim() =>
        Prop.ForAll(
            (from bp in Shares
             from steps in Gen.ListOf(
                 from kind in Gen.Choose(0, 9)
                 from net in Gen.Choose(1, 6_000_000)
                 from costs in Gen.Choose(0, 100_000)
                 select new Step(kind, net, costs))
             select (bp, steps)).ToArbitrary(),
            t => Holds(t.bp, t.steps)).QuickCheckThrowOnFailure();

    /// <summary>
    /// Kinds: 0–4 the operator records, 5–6 the bank records, 7 the operator confirms the oldest
    /// pending, 8 refuses it, 9 writes off. Refusals are allowed; broken invariants are not.
    /// </summary>
    private static bool Holds(int bp, IReadOnlyList<Step> steps)
    {
        var claim = Approved(bp);
        var ledger = new Dictionary<ClaimAccount, long>();
        Apply(ledger, ClaimPostingRecipe.Compensation(ApprovedOn, claim.Data.Split));
        var on = D("2026-01-01");
        foreach (var step in steps)
        {
            on = on.AddDays(1);
            var gross = Money.FromFen(step.NetFen + (long)step.CostsFen);
            var pending = claim.Data.Recoveries.FirstOrDefault(r => r.Status == RecoveryStatus.Pending);
            var result = step.Kind switch
            {
                <= 4 => claim.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", on, gross, Money.FromFen(step.CostsFen)),
                <= 6 => claim.RecordRecovery(RecoveryRecorder.Bank, "gz-bank", on, gross, Money.FromFen(step.CostsFen)),
                7 => claim.ConfirmRecovery(pending?.Number ?? 0, on),
                8 => claim.RefuseRecovery(pending?.Number ?? 0, "not received"),
                _ => WithConsentsOnce(claim, on).WriteOff(on, true, "proof", PolicyOn(on)),
            };
            if (!result.IsOk)
                continue;
            var outcome = result.Value;
            if (outcome.Recovery is { Status: RecoveryStatus.Posted, Split: { } split } recovery && outcome.Posting is not null
                && (split.Fund + split.Bank != recovery.Net || outcome.Posting.Total(LedgerOwner.Fund) != split.Fund || outcome.Posting.Total(LedgerOwner.Bank) != split.Bank))
                return false;
            Apply(ledger, outcome.Posting);
            claim = outcome.Claim;
            var d = claim.Data;
            if (d.RecoveredNet + d.PendingNet > d.Base || d.RecoveredFund > d.FundPays || d.RecoveredBank > d.BankBears
                || d.RecoveredFund + d.RecoveredBank != d.RecoveredNet
                || d.RecoveredFund != ShareSplit.Split(d.RecoveredNet, d.FundShare).Fund)
                return false;
        }
        var data = claim.Data;
        // Each account holds what the claim says: debit-positive balances of the posted recipes.
        return Balance(ledger, ClaimAccount.FundRecoverable) == data.FundRecoverable.Fen
            && Balance(ledger, ClaimAccount.BankRecoverable) == data.BankRecoverable.Fen
            && -Balance(ledger, ClaimAccount.FundCash) == (data.FundPays - data.RecoveredFund).Fen
            && Balance(ledger, ClaimAccount.FundCapital) == data.FundWrittenOffOutstanding.Fen
            && Balance(ledger, ClaimAccount.BankWrittenOff) == data.BankWrittenOffOutstanding.Fen
            && -Balance(ledger, ClaimAccount.BankRiskBorne) == (data.BankBears - data.RecoveredBank).Fen;
    }

    private static CompensationClaim WithConsentsOnce(CompensationClaim claim, DateOnly on)
    {
        foreach (var party in ClaimConsents.Missing(ClaimConsentStage.WriteOff, claim.Data.Consents))
        {
            var recorded = claim.RecordConsent(new ClaimConsent(ClaimConsentStage.WriteOff, party, "gz-x", "doc", on));
            if (!recorded.IsOk)
                return claim;
            claim = recorded.Value.Claim;
        }
        return claim;
    }

    private static void Apply(Dictionary<ClaimAccount, long> ledger, ClaimPostingRecipe? recipe)
    {
        foreach (var leg in recipe?.Legs ?? [])
            ledger[leg.Account] = Balance(ledger, leg.Account) + (leg.Side == PostingSide.Debit ? leg.Amount.Fen : -leg.Amount.Fen);
    }

    private static long Balance(Dictionary<ClaimAccount, long> ledger, ClaimAccount account) => ledger.GetValueOrDefault(account);
}
