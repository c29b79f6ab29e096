using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Jiangmen's 3-day publicity (公示), inclusive of its first day in CST, and objections (异议).</summary>
public sealed class PublicityTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private LoanSteps Jiangmen() => new(server, bank: "jmrcb", hrss: "jm-hrss", fund: "jm-fund");

    private async Task<(LoanSteps Steps, Loan Loan)> PublishedOn30September()
    {
        var steps = Jiangmen();
        var loan = await steps.Submit(LoanSteps.Individual(region: "CN-GD-JM"));
        loan = await steps.Review(loan, publicityStart: "2025-09-30");
        Assert.Equal(LoanState.Publicity, loan.State);
        Assert.Equal("2025-09-30", loan.PublicityStartDate);
        Assert.Equal("2025-10-02", loan.PublicityEndDate);
        return (steps, loan);
    }

    [Fact]
    public async Task Jiangmen_publicity_published_30_September_cannot_conclude_before_3_October()
    {
        var (steps, loan) = await PublishedOn30September();
        var early = await Assert.ThrowsAsync<RpcException>(async () => await steps.Conclude(loan, "2025-10-02"));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Equal("PUBLICITY_NOT_ENDED", early.Reason());
        Assert.Contains("2025-10-03 00:00", early.Status.Detail);

        var concluded = await steps.Conclude(loan, "2025-10-03");
        Assert.Equal(LoanState.DueDiligence, concluded.State);
    }

    [Fact]
    public async Task An_objection_suspends_publicity_and_dismissing_it_resumes_publicity_for_the_days_lost()
    {
        var (steps, loan) = await PublishedOn30September();
        loan = await steps.Hrss.Loans.LodgeObjectionAsync(new LodgeObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Objection = "申请人已有其他经营贷款", LodgedDate = "2025-10-01",
        });
        Assert.Equal(LoanState.Objection, loan.State);
        var pending = await Assert.ThrowsAsync<RpcException>(async () => await steps.Conclude(loan, "2025-10-03"));
        Assert.Equal("OBJECTION_PENDING", pending.Reason());

        loan = await steps.Hrss.Loans.ResolveObjectionAsync(new ResolveObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Upheld = false, Resolution = "经核查不属实", ResolvedDate = "2025-10-02",
        });
        Assert.Equal(LoanState.Publicity, loan.State);
        // Suspended for 1 October: the publicity runs one day longer.
        Assert.Equal("2025-10-03", loan.PublicityEndDate);
        var stillRunning = await Assert.ThrowsAsync<RpcException>(async () => await steps.Conclude(loan, "2025-10-03"));
        Assert.Equal("PUBLICITY_NOT_ENDED", stillRunning.Reason());
        Assert.Equal(LoanState.DueDiligence, (await steps.Conclude(loan, "2025-10-04")).State);
    }

    [Fact]
    public async Task An_upheld_objection_rejects_the_application()
    {
        var (steps, loan) = await PublishedOn30September();
        loan = await steps.Hrss.Loans.LodgeObjectionAsync(new LodgeObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Objection = "项目不在本市", LodgedDate = "2025-10-01",
        });
        loan = await steps.Hrss.Loans.ResolveObjectionAsync(new ResolveObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Upheld = true, Resolution = "异议成立", ResolvedDate = "2025-10-02",
        });
        Assert.Equal(LoanState.Rejected, loan.State);
        Assert.Equal("OBJECTION_UPHELD", loan.RejectionReason);
    }

    [Fact]
    public async Task An_objection_after_publicity_has_ended_is_refused()
    {
        var (steps, loan) = await PublishedOn30September();
        var late = await Assert.ThrowsAsync<RpcException>(async () => await steps.Hrss.Loans.LodgeObjectionAsync(new LodgeObjectionRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Objection = "迟到的异议", LodgedDate = "2025-10-03",
        }));
        Assert.Equal("PUBLICITY_ENDED", late.Reason());
    }

    [Fact]
    public async Task The_batch_concludes_publicity_that_has_run_its_course()
    {
        var (steps, loan) = await PublishedOn30September();
        var admin = server.As("admin");
        await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-10-02" });
        Assert.Equal(LoanState.Publicity, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
        await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = "2025-10-03" });
        Assert.Equal(LoanState.DueDiligence, (await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name })).State);
    }
}
