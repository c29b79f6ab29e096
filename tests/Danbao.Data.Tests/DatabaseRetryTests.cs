using Dapper;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

public sealed class DatabaseRetryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_serialization_failure_on_the_first_attempt_is_retried_and_commits_once()
    {
        var db = postgres.Database;
        await using (var setup = await db.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("create table retry_effects (id serial primary key, attempt int not null)");
        }
        var attempts = 0;
        var retried = new List<Exception>();
        db.Retrying += (_, exception) => retried.Add(exception);

        var result = await db.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                await connection.ExecuteAsync("insert into retry_effects (attempt) values (@attempt)", new { attempt }, transaction);
                if (attempt == 1)
                {
                    await connection.ExecuteAsync("do $$ begin raise exception using errcode = '40001', message = 'injected'; end $$", transaction: transaction);
                }
                return attempt;
            },
            CancellationToken.None);

        Assert.Equal(2, result);
        Assert.Single(retried);
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal([2], (await check.QueryAsync<int>("select attempt from retry_effects")).ToList());
    }

    [Fact]
    public async Task A_serialization_failure_at_commit_is_retried()
    {
        var db = postgres.Database;
        await using (var setup = await db.DataSource.OpenConnectionAsync())
        {
            // A deferred constraint trigger raises 40001 from COMMIT itself, while a flag row exists.
            await setup.ExecuteAsync(
                """
                create table commit_fault (armed bool not null);
                insert into commit_fault values (true);
                create table commit_effects (id serial primary key);
                create function commit_fault_fire() returns trigger language plpgsql as $$
                begin
                    if exists (select 1 from commit_fault where armed) then
                        raise exception using errcode = '40001', message = 'injected at commit';
                    end if;
                    return null;
                end $$;
                create constraint trigger commit_fault_fire after insert on commit_effects
                    deferrable initially deferred for each row execute function commit_fault_fire();
                """);
        }
        var attempts = 0;

        await db.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                if (Interlocked.Increment(ref attempts) == 2)
                {
                    await using var disarm = await db.DataSource.OpenConnectionAsync(ct);
                    await disarm.ExecuteAsync("update commit_fault set armed = false");
                }
                return await connection.ExecuteAsync("insert into commit_effects default values", transaction: transaction);
            },
            CancellationToken.None);

        Assert.Equal(2, attempts);
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("select count(*) from commit_effects"));
    }

    [Fact]
    public async Task A_unique_violation_is_not_retried()
    {
        var db = postgres.Database;
        await using (var setup = await db.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("create table unique_things (id int primary key); insert into unique_things values (1);");
        }
        var attempts = 0;

        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await db.InTransactionAsync(
            (connection, transaction, ct) =>
            {
                Interlocked.Increment(ref attempts);
                return connection.ExecuteAsync("insert into unique_things values (1)", transaction: transaction);
            },
            CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Persistent_transient_failures_give_up_after_the_attempt_limit()
    {
        await using var db = new Database(
            new DatabaseOptions { ConnectionString = postgres.ConnectionString, TransactionAttemptsMax = 3, RetryDelayBase = TimeSpan.FromMilliseconds(1) });
        var attempts = 0;

        var failure = await Assert.ThrowsAsync<PostgresException>(async () => await db.InTransactionAsync<int>(
            async (connection, transaction, ct) =>
            {
                Interlocked.Increment(ref attempts);
                await connection.ExecuteAsync("do $$ begin raise exception using errcode = '40P01', message = 'injected deadlock'; end $$", transaction: transaction);
                return 0;
            },
            CancellationToken.None));

        Assert.Equal("40P01", failure.SqlState);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task CanConnect_reports_a_live_database_and_a_dead_one()
    {
        Assert.True(await postgres.Database.CanConnectAsync(CancellationToken.None));
        var dead = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var unreachable = new Database(new DatabaseOptions { ConnectionString = dead });
        Assert.False(await unreachable.CanConnectAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("08006", true)]
    [InlineData("57P01", true)]
    [InlineData("23505", false)]
    [InlineData("23514", false)]
    [InlineData("42P01", false)]
    [InlineData("P0001", false)]
    public void Only_connection_loss_serialization_failures_and_deadlocks_are_transient(string sqlState, bool transient)
    {
        Assert.Equal(transient, TransientFailures.IsTransientSqlState(sqlState));
    }
}
