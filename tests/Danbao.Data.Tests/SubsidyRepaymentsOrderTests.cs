using Dapper;
using Danbao.TestSupport;

namespace Danbao.Data.Tests;

/// <summary>A loan's repayments reach the subsidy verdicts in payment order: by paid date, then in the order recorded (id).</summary>
public sealed class SubsidyRepaymentsOrderTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Two_repayments_of_one_day_come_in_id_order_whatever_order_their_rows_are_stored_in()
    {
        var loan = "LORDER" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var id = Random.Shared.NextInt64(1_000_000_000_000, 1_000_000_000_000_000);
        await using (var connection = await postgres.DataSource.OpenConnectionAsync())
        {
            // Rows straight into the table (no loan row: its foreign key is set aside for this session). The later-recorded
            // row of the day (the higher id) is stored first, so the index, ordered by (loan, day) and then by where a row
            // is stored, gives the day's rows in the wrong order.
            await connection.ExecuteAsync(
                """
                set session_replication_role = replica;
                insert into loan_repayments (id, loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, interest_to_date, request_id)
                values (@id + 2, @loan, '2025-09-20', 2, 2, 0, '2025-06-20', '2025-09-20', @loan || '-2'),
                       (@id + 1, @loan, '2025-09-20', 1, 1, 0, '2025-06-20', '2025-09-20', @loan || '-1'),
                       (@id + 3, @loan, '2025-06-20', 3, 3, 0, '2025-03-20', '2025-06-20', @loan || '-3');
                set session_replication_role = origin;
                """, new { loan, id });
        }

        var repayments = await postgres.Database.InSessionAsync(session => session.Subsidy.RepaymentsAsync(loan, new DateOnly(2025, 10, 1)), CancellationToken.None);

        Assert.Equal([3L, 1L, 2L], repayments.Select(r => r.Interest.Fen));
    }
}
