using Danbao.Server.Reference;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Server.Tests.Reference;

/// <summary>
/// The policy, LPR and calendar reload every few seconds; GetLoan's kept replies are valid for one copy of them
/// (LoanSnapshots compares the copy by reference). A reload that finds nothing new must keep the copy in use, or every
/// kept loan is read again after each reload; one that finds a change must give a new copy.
/// </summary>
public sealed class ReferenceDataCacheTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_reload_that_finds_nothing_new_keeps_the_copy_in_use()
    {
        var cache = new ReferenceDataCache(postgres.Database, TimeProvider.System);
        var first = await cache.ReloadAsync(CancellationToken.None);

        var again = await cache.ReloadAsync(CancellationToken.None);

        Assert.Same(first, again);
        Assert.NotEmpty(first.Versions);
    }

    [Fact]
    public async Task A_reload_that_finds_a_new_LPR_gives_a_new_copy_with_it()
    {
        var cache = new ReferenceDataCache(postgres.Database, TimeProvider.System);
        var before = await cache.ReloadAsync(CancellationToken.None);
        await using (var conn = await postgres.DataSource.OpenConnectionAsync())
        {
            await using var insert = new NpgsqlCommand(
                "insert into lpr_rates (effective_from, one_year_bp, source, created_by) values ('2031-01-20', 275, 'test: a later LPR', 'test')", conn);
            await insert.ExecuteNonQueryAsync();
        }

        var after = await cache.ReloadAsync(CancellationToken.None);

        Assert.NotSame(before, after);
        Assert.DoesNotContain(before.Lpr.Entries, e => e.EffectiveFrom == new DateOnly(2031, 1, 20));
        Assert.Equal(275m, Assert.Single(after.Lpr.Entries, e => e.EffectiveFrom == new DateOnly(2031, 1, 20)).OneYear.Bp);
        Assert.Same(after, await cache.ReloadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_reload_that_finds_a_new_calendar_day_gives_a_new_copy()
    {
        var cache = new ReferenceDataCache(postgres.Database, TimeProvider.System);
        var before = await cache.ReloadAsync(CancellationToken.None);
        var year = before.Calendar.LoadedYears.Max();
        await using (var conn = await postgres.DataSource.OpenConnectionAsync())
        {
            // A Wednesday off in the latest loaded table (a day the table did not list).
            var day = new DateOnly(year, 11, 1);
            while (day.DayOfWeek != DayOfWeek.Wednesday)
            {
                day = day.AddDays(1);
            }
            await using var insert = new NpgsqlCommand("insert into calendar_days (date, kind, table_year) values ($1, 'OFF', $2)", conn);
            insert.Parameters.Add(new NpgsqlParameter { Value = day });
            insert.Parameters.Add(new NpgsqlParameter { Value = year });
            await insert.ExecuteNonQueryAsync();
        }

        var after = await cache.ReloadAsync(CancellationToken.None);

        Assert.NotSame(before, after);
        Assert.False(before.Calendar.SameTablesAs(after.Calendar));
    }
}
