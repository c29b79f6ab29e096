using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;
using Npgsql;

namespace Danbao.Server.Tests.Subsidy;

/// <summary>Which days and which formula earn subsidy (policy.md §5, §10), explained through the API.</summary>
public sealed class SubsidyRuleTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_quarter_containing_29_february_counts_it()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed(contract: "2023-12-01", disbursed: "2023-12-20");
        var q1 = await steps.Explain(loan, "2024-01-01", "2024-04-01");
        Assert.Equal((91, 91), (q1.Days, q1.SubsidisedDays));
        // 200,000 × 3.50% × 91/360 = 1,769.44; subsidy at 1.75% = 884.72.
        Assert.Equal((176_944L, 88_472L, 88_472L), (q1.InterestFen, q1.SubsidyFen, q1.BorrowerShareFen));
        var segment = Assert.Single(q1.Segments);
        Assert.Equal(("2024-01-01", "2024-04-01", 91), (segment.StartDate, segment.EndDate, segment.Days));
    }

    [Fact]
    public async Task Disbursed_2023_09_30_uses_v2_and_2023_10_01_uses_v3()
    {
        var steps = new SubsidySteps(server);
        var v2 = await steps.Disbursed(contract: "2023-09-01", disbursed: "2023-09-30");
        var v3 = await steps.Disbursed(contract: "2023-09-01", disbursed: "2023-10-01");
        var a = await steps.Explain(v2, "2023-10-01", "2023-12-20");
        var b = await steps.Explain(v3, "2023-10-01", "2023-12-20");
        Assert.Equal(SubsidyFormula.V2, a.Formula);
        // LPR on the contract date 2023-09-01 is 3.45% (from 2023-08-21): s = 3.50% − (3.45% − 1.50%) = 1.55%.
        Assert.Equal(("155", "2023-08-21", "345"), (a.SubsidyRateBp, a.LprEffectiveFromDate, a.LprBp));
        Assert.Equal(SubsidyFormula.V3, b.Formula);
        Assert.Equal("175", b.SubsidyRateBp);
        Assert.Equal("", b.LprEffectiveFromDate);
    }

    [Fact]
    public async Task An_lpr_change_after_disbursement_does_not_change_an_existing_loans_subsidy()
    {
        var steps = new SubsidySteps(server);
        var v2 = await steps.Disbursed(contract: "2022-06-01", disbursed: "2022-06-20");
        var v3 = await steps.Disbursed();
        var beforeV2 = await steps.Explain(v2, "2024-09-20", "2024-12-20");
        var beforeV3 = await steps.Explain(v3, "2026-09-20", "2026-12-20");
        // Contract 2022-06-01, LPR 3.70%: s = 3.50% − (3.70% − 1.50%) = 1.30%, although the LPR fell to 3.35% in 2024-07.
        Assert.Equal(("130", "2022-01-20"), (beforeV2.SubsidyRateBp, beforeV2.LprEffectiveFromDate));

        // The LPR is ADMIN's and takes effect today or later (policy.md §11): published on its date.
        var today = server.Clock.GetUtcNow();
        server.Clock.Set(new DateTimeOffset(2026, 6, 22, 2, 0, 0, TimeSpan.Zero));
        try
        {
            await server.As("admin").Policy.CreateLprRateAsync(new CreateLprRateRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Rate = new LprRate { EffectiveFromDate = "2026-06-22", OneYearBp = 250, Source = "test: a later LPR cut" },
            });
        }
        finally
        {
            server.Clock.Set(today);
        }
        var afterV2 = await steps.Explain(v2, "2024-09-20", "2024-12-20");
        var afterV3 = await steps.Explain(v3, "2026-09-20", "2026-12-20");
        Assert.Equal(beforeV2, afterV2);
        Assert.Equal(beforeV3, afterV3);
    }

    [Fact]
    public async Task A_loan_disbursed_before_2021_has_no_formula_and_is_refused_with_a_clear_error()
    {
        // Pre-2021 loans cannot be created through today's API (its caps start later): seeded as a row.
        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var seed = new NpgsqlCommand(
                """
                insert into loans (id, bank_id, region_code, district, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                    term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee,
                    disbursement_date, maturity_date, outstanding_principal_fen, interest_paid_to_date)
                values ('L0OLD000000001', 'icbc-gz', 'CN-GD-GZ', '天河区', 'CURRENT', 'INDIVIDUAL', '{}', '\x00', sha256('old'::bytea), 20000000,
                    60, 350, 'BULLET', '2020-12-01', '2020-12-01', true, '2020-12-20', '2025-12-20', 20000000, '2025-09-20');
                insert into loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
                values ('L0OLD000000001', '2025-09-20', 178889, 178889, 0, '2025-06-20', '2025-09-20', 'seed-old');
                """, conn);
            await seed.ExecuteNonQueryAsync();
        }
        var steps = new SubsidySteps(server);
        var old = new Loan { Name = "loans/L0OLD000000001" };
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await steps.Explain(old, "2025-06-20", "2025-09-20"));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("NO_SUBSIDY_FORMULA", ex.Reason());
        Assert.Contains("2020-12-20", ex.Status.Detail);

        steps.Today("2025-10-20");
        var line = Assert.Single((await steps.File(await steps.Open("2025-Q3"), (old, 178_889, 89_444))).Lines);
        Assert.Equal((SubsidyLineFlag.SubsidyLineNotPayable, "NO_SUBSIDY_FORMULA"), (line.Flag, line.NotPayableReason));
    }

    [Fact]
    public async Task Days_in_an_extension_earn_no_subsidy_by_default()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        await steps.Bank.Loans.ExtendLoanAsync(new ExtendLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Months = 6, BusinessDate = "2027-06-01",
        });
        // Maturity 2027-06-20, extended from then: of 2027-06-01 … 2027-07-01 (30 days) the last 11 earn nothing.
        var e = await steps.Explain(loan, "2027-06-01", "2027-07-01");
        Assert.Equal((30, 19, 11), (e.Days, e.SubsidisedDays, e.ExcludedDays));
        Assert.Contains(e.Segments, s => s is { ExcludedBecause: "EXTENSION", Days: 11, StartDate: "2027-06-20" });
        Assert.Contains(e.PolicyVersions, v => v.Parameter == "SUBSIDY_DURING_EXTENSION");
    }

    [Fact]
    public async Task Early_repayment_is_subsidised_for_the_days_outstanding_only()
    {
        var steps = new SubsidySteps(server);
        var loan = await steps.Disbursed();
        // Settled early on 2025-06-30: 10 days of interest (194.44) plus the principal.
        var settled = await steps.Loans.Repay(loan, 20_000_000 + 19_444, "2025-06-30");
        Assert.True(settled.Settled);
        var e = await steps.Explain(loan, "2025-06-20", "2025-09-20");
        Assert.Equal((19_444L, 9_722L), (e.InterestFen, e.SubsidyFen));
        Assert.Contains(e.Segments, s => s is { PrincipalFen: 0, StartDate: "2025-06-30" });
    }
}
