using Dapper;
using Danbao.Data.Audit;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

public sealed class AuditLogTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly AuditLog _audit = new();

    private static AuditEvent Event(string subjectId, string action) => new()
    {
        SubjectType = "loan",
        SubjectId = subjectId,
        Action = action,
        ActorInstitution = "BANK-ICBC-GZ",
        ActorRole = "bank",
        ActorKeyId = "key-1",
        OccurredAt = new DateTimeOffset(2025, 6, 1, 2, 0, 0, TimeSpan.Zero),
        BusinessDate = new DateOnly(2025, 6, 1),
        RequestId = "req-" + Guid.NewGuid(),
        BeforeJson = """{"state": "approved"}""",
        AfterJson = """{"state": "disbursed"}""",
        DetailJson = null,
    };

    [Fact]
    public async Task Events_read_back_by_subject_page_by_page_in_order()
    {
        var loanId = "L-" + Guid.NewGuid();
        await postgres.Database.InTransactionAsync(
            async (connection, transaction, ct) =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await _audit.AppendAsync(connection, transaction, Event(loanId, $"step-{i}"), ct);
                }
                await _audit.AppendAsync(connection, transaction, Event("other-loan", "noise"), ct);
                return 0;
            },
            CancellationToken.None);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var actions = new List<string>();
        long? after = null;
        var pages = 0;
        do
        {
            var page = await _audit.BySubjectAsync(connection, null, "loan", loanId, after, pageSize: 2);
            actions.AddRange(page.Events.Select(e => e.Action));
            after = page.NextAfterId;
            pages++;
        }
        while (after is not null);

        Assert.Equal(["step-0", "step-1", "step-2", "step-3", "step-4"], actions);
        Assert.Equal(3, pages);
        var first = (await _audit.BySubjectAsync(connection, null, "loan", loanId, null, 1)).Events[0];
        Assert.Equal(new DateOnly(2025, 6, 1), first.BusinessDate);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 2, 0, 0, TimeSpan.Zero), first.OccurredAt);
        Assert.Contains("disbursed", first.AfterJson);
    }

    [Theory]
    [InlineData("update audit_events set action = 'rewritten'")]
    [InlineData("delete from audit_events")]
    [InlineData("truncate audit_events")]
    public async Task The_audit_log_refuses_to_be_rewritten(string sql)
    {
        await postgres.Database.InTransactionAsync(
            (connection, transaction, ct) => _audit.AppendAsync(connection, transaction, Event("L-immutable", "created"), ct),
            CancellationToken.None);

        await using var connection = await postgres.DataSource.OpenConnectionAsync();
        var refusal = await Assert.ThrowsAsync<PostgresException>(async () => await connection.ExecuteAsync(sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refusal.SqlState);
    }
}
