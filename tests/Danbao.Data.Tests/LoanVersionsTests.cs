using Danbao.Data.Loans;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>
/// GetLoan's version checks read together (LoanVersions): checks that arrive while a read runs are answered by the next
/// read, in one statement, and each sees every write committed before it asked. A lock on the loans table holds the
/// single lane's first read, so that the checks sent next are known to wait together.
/// </summary>
public sealed class LoanVersionsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int First = 900_001;

    private async Task<NpgsqlConnection> SeededAsync()
    {
        var connection = await postgres.DataSource.OpenConnectionAsync();
        await SampleLoans.InsertAsync(connection, First, First + 2);
        return connection;
    }

    private static async Task<int> BumpAsync(NpgsqlConnection connection, string id)
    {
        await using var bump = new NpgsqlCommand("update loans set version = version + 1 where id = $1 returning version", connection);
        bump.Parameters.Add(new NpgsqlParameter { Value = id });
        return (int)(await bump.ExecuteScalarAsync())!;
    }

    /// <summary>Holds the table until the returned transaction ends; returns once the lane's read is waiting on it.</summary>
    private async Task<(NpgsqlTransaction Lock, Task<int?> Held)> HoldLaneAsync(LoanVersions versions, string id)
    {
        var connection = await postgres.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("lock table loans in access exclusive mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var held = versions.VersionAsync(id, CancellationToken.None);
        while (versions.Waiting > 0)
        {
            await Task.Delay(5); // taken by the lane, whose read now waits on the lock
        }
        return (transaction, held);
    }

    [Fact]
    public async Task Checks_that_arrive_while_a_read_runs_are_answered_together_by_the_next_read()
    {
        await using var connection = await SeededAsync();
        var ids = Enumerable.Range(First, 3).Select(SampleLoans.Id).ToArray();
        var expected = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            expected[id] = await BumpAsync(connection, id);
        }
        await using var versions = new LoanVersions(postgres.Database, lanes: 1);

        var (tableLock, held) = await HoldLaneAsync(versions, ids[0]);
        var asked = Enumerable.Range(0, 10).Select(i => i == 9 ? "L99999999999999" : ids[i % 3])
            .Select(id => (Id: id, Version: versions.VersionAsync(id, CancellationToken.None))).ToArray();
        Assert.Equal(10, versions.Waiting);
        await tableLock.CommitAsync();
        await tableLock.Connection!.DisposeAsync();

        Assert.Equal(expected[ids[0]], await held);
        foreach (var (id, version) in asked)
        {
            Assert.Equal(expected.TryGetValue(id, out var v) ? v : null, await version);
        }
        Assert.Equal(2, versions.Reads); // the held read, then one for the ten
    }

    [Fact]
    public async Task A_check_sees_a_write_committed_before_it_asked()
    {
        await using var connection = await SeededAsync();
        var id = SampleLoans.Id(First + 1);
        await using var versions = new LoanVersions(postgres.Database, lanes: 2);
        var before = await versions.VersionAsync(id, CancellationToken.None);

        var written = await BumpAsync(connection, id);

        Assert.Equal(before + 1, written);
        Assert.Equal(written, await versions.VersionAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task A_caller_that_gives_up_is_answered_cancelled_and_the_others_are_still_answered()
    {
        await using var connection = await SeededAsync();
        var id = SampleLoans.Id(First + 2);
        var version = await BumpAsync(connection, id);
        await using var versions = new LoanVersions(postgres.Database, lanes: 1);
        var (tableLock, held) = await HoldLaneAsync(versions, id);
        using var giveUp = new CancellationTokenSource();
        var abandoned = versions.VersionAsync(id, giveUp.Token);
        var kept = versions.VersionAsync(id, CancellationToken.None);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await tableLock.CommitAsync();
        await tableLock.Connection!.DisposeAsync();

        Assert.Equal(version, await held);
        Assert.Equal(version, await kept);
    }

    [Fact]
    public async Task With_no_lanes_each_check_reads_on_its_own()
    {
        await using var connection = await SeededAsync();
        var id = SampleLoans.Id(First);
        await using var versions = new LoanVersions(postgres.Database, lanes: 0);

        var version = await BumpAsync(connection, id);

        Assert.Equal(version, await versions.VersionAsync(id, CancellationToken.None));
        Assert.Null(await versions.VersionAsync("L99999999999998", CancellationToken.None));
        Assert.Equal(0, versions.Reads);
    }
}
