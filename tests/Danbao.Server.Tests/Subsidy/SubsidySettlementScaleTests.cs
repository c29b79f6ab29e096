using System.Diagnostics;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>
/// A quarter's claim of N loans streamed in (StreamSubsidyClaimLines, 10,000 lines a message), reviewed and
/// settled through the API, with the time of each phase. N = DANBAO_SUBSIDY_SCALE_LOANS (default 12,000: two
/// batches, so ./test.sh stays fast); e.g. DANBAO_SUBSIDY_SCALE_LOANS=1000000 for the million-loan figure. Loans
/// and their repayments are seeded by SQL (the lifecycle of a million loans through the API is the benchmark's job).
/// </summary>
public sealed class SubsidySettlementScaleTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_quarter_of_many_loans_is_streamed_in_and_settled_as_one_payment()
    {
        var loans = int.TryParse(Environment.GetEnvironmentVariable("DANBAO_SUBSIDY_SCALE_LOANS"), out var n) && n > 0 ? n : 12_000;
        var clock = Stopwatch.StartNew();
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var seed = new NpgsqlCommand(
                """
                insert into loans (id, bank_id, region_code, district, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                    term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee,
                    disbursement_date, maturity_date, outstanding_principal_fen, interest_paid_to_date)
                select 'LS' || lpad(i::text, 12, '0'), 'icbc-gz', 'CN-GD-GZ', case when i % 2 = 0 then '天河区' else '越秀区' end, 'CURRENT',
                    'INDIVIDUAL', '{}', '\x00', sha256(convert_to(i::text, 'UTF8')), 20000000, 24, 350, 'BULLET',
                    '2025-06-01', '2025-06-01', true, '2025-06-20', '2027-06-20', 20000000, '2025-09-20'
                from generate_series(1, @n) i;
                insert into loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
                select 'LS' || lpad(i::text, 12, '0'), '2025-09-20', 178889, 178889, 0, '2025-06-20', '2025-09-20', 'seed-' || i
                from generate_series(1, @n) i;
                analyze loans; analyze loan_repayments;
                """, conn);
            seed.CommandTimeout = 0;
            seed.Parameters.AddWithValue("n", loans);
            await seed.ExecuteNonQueryAsync();
        }
        var seeded = clock.Elapsed;

        var steps = new SubsidySteps(server);
        steps.Today("2025-10-20");
        var bank = server.As("icbc-gz");
        var claim = await steps.Open("2025-Q3");
        clock.Restart();
        var lines = Enumerable.Range(1, loans).Select(i => new SubsidyClaimLineInput { Loan = $"loans/LS{i:D12}", InterestPaidFen = 178_889, SubsidyClaimedFen = 89_444 });
        var filed = await bank.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(), lines);
        var filing = clock.Elapsed;
        Assert.Equal(loans, filed.LinesReceived);
        Assert.Equal(loans, filed.Claim.LineCount);
        Assert.Equal(loans, filed.Claim.LinesMatching);
        Assert.Empty(filed.Lines);

        clock.Restart();
        claim = await bank.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name });
        claim = await steps.Review(claim, approveAll: true);
        var reviewed = clock.Elapsed;
        Assert.Equal(loans, claim.LinesApproved);
        clock.Restart();
        claim = await steps.Settle(claim, "2025-10-20");
        var settled = clock.Elapsed;
        Assert.Equal(89_444L * loans, claim.ApprovedSubsidyFen);
        Assert.Equal(89_444L * loans, claim.PaidSubsidyFen);

        clock.Restart();
        var report = await steps.Finance.Subsidy.GetSubsidySettlementReportAsync(new GetSubsidySettlementReportRequest { Quarter = "2025-Q3" });
        var reportTime = clock.Elapsed;
        Assert.Equal(loans, report.Loans);
        Assert.Equal(89_444L * loans, report.SubsidyFen);
        Assert.Equal(2, report.ByDistrict.Count);

        output.WriteLine($"{loans:N0} loans: seed {seeded.TotalSeconds:F1} s; stream {filing.TotalSeconds:F1} s ({loans / filing.TotalSeconds:N0} lines/s); " +
            $"submit+review {reviewed.TotalSeconds:F1} s; settle {settled.TotalSeconds:F1} s; report {reportTime.TotalSeconds:F1} s");
    }
}
