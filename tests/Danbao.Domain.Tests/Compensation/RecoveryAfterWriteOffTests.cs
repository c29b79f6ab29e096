using static Danbao.Domain.Tests.ClaimBuilder;
using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>
/// 账销案存: a written-off claim is kept; what is recovered later is shared in the same ratio and
/// posted as a recovery of a written-off claim (it restores what the write-off took).
/// </summary>
public class RecoveryAfterWriteOffTests
{
    [Fact]
    public void Recovery_after_write_off_is_shared_in_the_same_ratio_and_posted_as_such()
    {
        // Principal-only 9:1 (135,000 / 15,000); 50,000 recovered (45,000 / 5,000); 90,000 / 10,000 written off.
        var written = Approved(9000, PrincipalOnlyPolicy).Recover(50_000).Claim.WriteOffProven().Claim;
        var later = written.Recover(30_000, on: "2027-03-01");
        Assert.Equal(CompensationClaimState.WrittenOff, later.To);
        Assert.True(later.Recovery!.AfterWriteOff);
        Assert.Equal((Money.FromWholeYuan(27_000), Money.FromWholeYuan(3_000)), (later.Recovery.Split!.Value.Fund, later.Recovery.Split.Value.Bank));
        Assert.Equal(ClaimPostingKind.RecoveryAfterWriteOff, later.Posting!.Kind);
        Assert.Equal("recovery_after_write_off", later.Posting.Kind.ToCode());
        Assert.Equal(new[]
        {
            (ClaimAccount.FundCash, PostingSide.Debit, "27,000.00"), (ClaimAccount.FundCapital, PostingSide.Credit, "27,000.00"),
            (ClaimAccount.BankRiskBorne, PostingSide.Debit, "3,000.00"), (ClaimAccount.BankWrittenOff, PostingSide.Credit, "3,000.00"),
        }, later.Posting.Legs());
        Assert.Equal((Money.FromWholeYuan(63_000), Money.FromWholeYuan(7_000)), (later.Data.FundWrittenOffOutstanding, later.Data.BankWrittenOffOutstanding));
    }

    [Fact]
    public void Recovery_after_write_off_is_capped_by_the_base_and_returns_exactly_what_was_written_off()
    {
        var written = Approved(9000, PrincipalOnlyPolicy).Recover(50_000).Claim.WriteOffProven().Claim;
        var refused = written.RecordRecovery(RecoveryRecorder.FundOperator, "gz-fund", D("2027-03-01"), Yuan("100,000.01"), Money.Zero);
        Assert.Equal(ReasonCodes.RecoveryExceedsClaim, refused.Refusal!.Code);
        var all = written.Recover(100_000, on: "2027-03-01");
        Assert.True(all.FullyRecovered);
        Assert.Equal((Money.Zero, Money.Zero), (all.Data.FundWrittenOffOutstanding, all.Data.BankWrittenOffOutstanding));
        Assert.Equal((Money.FromWholeYuan(135_000), Money.FromWholeYuan(15_000)), (all.Data.RecoveredFund, all.Data.RecoveredBank));
    }
}
