using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;
using Npgsql;

namespace Danbao.Server.Tests;

/// <summary>GetLoan's in-memory replies (LoanSnapshots) are as current as the database, whoever wrote.</summary>
public sealed class LoanSnapshotTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_kept_reply_is_not_served_once_another_instance_has_changed_the_loan()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var first = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(first, await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));

        // Another server instance writes the loan: in the database, with the version every loan write adds.
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "update loans set outstanding_principal_fen = outstanding_principal_fen - 100, version = version + 1 where id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = loan.Name["loans/".Length..] });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var after = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(first.OutstandingPrincipalFen - 100, after.OutstandingPrincipalFen);
        Assert.NotEqual(first.Etag, after.Etag);
    }

    [Fact]
    public async Task ListLoans_answers_kept_replies_and_rereads_a_loan_another_instance_changed()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var got = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }); // kept now
        async Task<Loan> Listed()
        {
            var page = await steps.Bank.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500 });
            return Assert.Single(page.Loans, l => l.Name == loan.Name);
        }
        Assert.Equal(got, await Listed());

        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "update loans set outstanding_principal_fen = outstanding_principal_fen - 100, version = version + 1 where id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = loan.Name["loans/".Length..] });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var listed = await Listed();
        Assert.Equal(got.OutstandingPrincipalFen - 100, listed.OutstandingPrincipalFen);
        // ... and GetLoan agrees with the list (the list kept the new version's reply).
        Assert.Equal(listed, await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));
    }

    [Fact]
    public async Task A_kept_reply_is_still_refused_to_another_bank()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }); // kept now
        var other = server.As("ccb-gz");
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await other.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task A_write_counts_a_repayment_another_instance_recorded_since_this_one_kept_the_loan()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        await steps.Repay(loan, 178_889, "2025-09-20"); // kept here with its repayments, at this version
        var id = loan.Name["loans/".Length..];
        // Another instance records the next quarter's interest: its row, and the version bump every loan write adds.
        await ExecuteAsync(
            """
            insert into loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
            values ($1, date '2025-12-20', 178889, 178889, 0, date '2025-09-20', date '2025-12-20', 'other-instance');
            update loans set interest_paid_to_date = date '2025-12-20', version = version + 1 where id = $1
            """, id);

        var written = (await steps.Repay(loan, 100, "2026-01-05")).Loan;

        // What a fresh read derives from every repayment (the loan re-read: its version moved on, nothing else).
        await ExecuteAsync("update loans set version = version + 1 where id = $1", id);
        var fresh = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.NotEqual(written.Etag, fresh.Etag);
        Assert.True(fresh.InterestArrearsFen > 0);
        Assert.Equal(fresh.InterestArrearsFen, written.InterestArrearsFen);
        Assert.Equal(fresh.PrincipalArrearsFen, written.PrincipalArrearsFen);
        Assert.Equal(fresh.OverdueDays, written.OverdueDays);
    }

    private async Task ExecuteAsync(string sql, string loanId)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var batch = new NpgsqlBatch(conn);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var command = new NpgsqlBatchCommand(statement);
            command.Parameters.Add(new NpgsqlParameter { Value = loanId });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_repayment_is_seen_by_the_next_read()
    {
        var steps = new LoanSteps(server);
        var loan = await steps.Disbursed();
        var before = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        await steps.Repay(loan, 178_889, "2025-09-20");
        var after = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.NotEqual("2025-09-20", before.InterestPaidToDate);
        Assert.Equal("2025-09-20", after.InterestPaidToDate);
    }
}
