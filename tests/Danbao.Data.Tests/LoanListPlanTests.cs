using Danbao.Data.Loans;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>
/// A loan listing's statement is prepared (auto-prepare) and so planned once for any values: its generic plan must
/// read the page from an index, not scan and sort every loan. Written as "(@x is null or col = @x)" for each optional
/// filter, it did the scan and sort for each page.
/// </summary>
public sealed class LoanListPlanTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    /// <summary>The generic plan of the listing's statement for <paramref name="filter"/>, as PostgreSQL prepares it.</summary>
    private async Task<string> GenericPlanAsync(NpgsqlConnection connection, LoanFilter filter, LoanCursor? after)
    {
        await using var session = await postgres.Database.OpenReadSessionAsync(CancellationToken.None);
        var command = session.Loans.ListKeys(filter, after, 51).Command;
        // Named parameters as PostgreSQL numbers them, so that PREPARE sees the statement the driver sends.
        var text = command.CommandText;
        var types = new List<string>();
        var values = new List<string>();
        for (var i = 0; i < command.Parameters.Count; i++)
        {
            var p = command.Parameters[i];
            text = System.Text.RegularExpressions.Regex.Replace(text, $@"@{p.ParameterName}\b", $"${i + 1}");
            types.Add(p.Value switch { int => "int", DateTimeOffset => "timestamptz", _ => "text" });
            values.Add(p.Value switch { int n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset t => $"'{t.UtcDateTime:O}'", var v => $"'{v}'" });
        }
        await using var prepare = new NpgsqlCommand(
            $"set plan_cache_mode = force_generic_plan; deallocate all; prepare page({string.Join(", ", types)}) as {text}", connection);
        await prepare.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand($"explain (costs off) execute page({string.Join(", ", values)})", connection);
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }
        return string.Join('\n', plan);
    }

    [Fact]
    public async Task A_banks_page_of_loans_is_read_from_its_index_in_the_prepared_plan_not_by_scanning_every_loan()
    {
        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        await SampleLoans.InsertAsync(connection, 1, 4000);

        var first = await GenericPlanAsync(connection, new LoanFilter { BankId = "bank-7" }, null);
        var next = await GenericPlanAsync(connection, new LoanFilter { BankId = "bank-7" },
            new LoanCursor(DateTimeOffset.UtcNow.AddHours(-10), "L00000000000600"));

        foreach (var plan in new[] { first, next })
        {
            Assert.Contains("Index Scan using loans_by_bank on loans", plan);
            Assert.DoesNotContain("Seq Scan", plan);
            Assert.DoesNotContain("Sort", plan);
        }
    }
}
