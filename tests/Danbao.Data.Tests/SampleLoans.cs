using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>Loan rows written straight into the table, for store tests that need loans but not their workflow.</summary>
internal static class SampleLoans
{
    /// <summary>
    /// Loans L{from}…L{to} (14 digits), of banks bank-0…bank-19 by number, created a minute apart going back from now.
    /// No institutions are needed: foreign keys are off for the insert, checks stay on.
    /// </summary>
    public static async Task InsertAsync(NpgsqlConnection connection, int from, int to)
    {
        await using var seed = new NpgsqlCommand(
            """
            begin;
            set local session_replication_role = replica;
            insert into loans (id, bank_id, region_code, state, borrower_type, borrower, id_number_cipher, id_number_index, amount_fen,
                term_months, contract_rate_bp, repayment_method, contract_date, application_date, counter_guarantee, created_at)
            select 'L' || lpad(g::text, 14, '0'), 'bank-' || (g % 20), 'CN-GD-GZ', 'CURRENT', 'INDIVIDUAL', '{}', '\x00',
                decode(md5(g::text), 'hex') || decode(md5(g::text), 'hex'), 100000000, 24, 395, 'BULLET', '2026-01-05', '2026-01-02', false,
                now() - g * interval '1 minute'
            from generate_series(@from, @to) g
            on conflict do nothing;
            commit;
            analyze loans;
            """, connection);
        seed.Parameters.AddWithValue("from", from);
        seed.Parameters.AddWithValue("to", to);
        await seed.ExecuteNonQueryAsync();
    }

    public static string Id(int number) => "L" + number.ToString("D14", System.Globalization.CultureInfo.InvariantCulture);
}
