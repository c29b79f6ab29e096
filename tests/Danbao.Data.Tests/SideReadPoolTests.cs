using Dapper;
using Danbao.TestSupport;

namespace Danbao.Data.Tests;

/// <summary>The side pool a client stream reads its next batch on, beside the write it holds open.</summary>
public sealed class SideReadPoolTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_side_read_connection_is_its_own_pool_a_fifth_of_the_main_one_with_jit_off_and_no_transaction()
    {
        var db = postgres.Database;
        await using var session = await db.OpenSideReadSessionAsync(CancellationToken.None);
        Assert.Null(session.Transaction);
        var (jit, application) = await session.Connection.QuerySingleAsync<(string, string)>("select current_setting('jit'), current_setting('application_name')");
        Assert.Equal("off", jit);
        Assert.EndsWith("side reads", application, StringComparison.Ordinal);
        var main = new Npgsql.NpgsqlConnectionStringBuilder(db.DataSource.ConnectionString).MaxPoolSize;
        Assert.Equal(Math.Max(1, main / Database.SideReadPoolDivisor), new Npgsql.NpgsqlConnectionStringBuilder(session.Connection.ConnectionString).MaxPoolSize);
        // The main pool's connections keep the server's default.
        await using var other = await db.DataSource.OpenConnectionAsync();
        Assert.NotEqual("off", await other.QuerySingleAsync<string>("select current_setting('jit')"));
    }
}
