using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Fund;
using Danbao.Server.Hosting;
using Danbao.Server.Tests.Support;
using Grpc.Core;
using Npgsql;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// Bounds on what a bank uploads (issue 12): a quota per bank per business day on uploads and lines
/// (RESOURCE_EXHAUSTED with RetryInfo until the next CST day, nothing stored), and breaks kept for
/// the retention only. Small limits: 2 uploads, 5 lines a day, breaks kept 30 days.
/// </summary>
public sealed class StatementQuotaTests(StatementQuotaTests.SmallQuotaServer server) : IClassFixture<StatementQuotaTests.SmallQuotaServer>
{
    public sealed class SmallQuotaServer : DanbaoServer
    {
        protected override ServerSettings Configure(ServerSettings settings) =>
            settings with { Statements = new StatementLimits { UploadsPerBankPerDayMax = 2, LinesPerBankPerDayMax = 5, BreaksRetentionDays = 30 } };
    }

    [Fact]
    public async Task A_bank_beyond_its_daily_quota_is_refused_with_retry_info_and_nothing_is_stored()
    {
        server.Clock.Set(new DateTimeOffset(2027, 7, 1, 2, 0, 0, TimeSpan.Zero));  // 10:00 CST
        var bank = server.As("icbc-gz");
        var first = await bank.Fund.UploadBankStatementAsync([Statement(3)]);
        Assert.Equal((3, 3), (first.LinesReceived, first.BreaksCount));

        // 3 + 3 > 5 lines today.
        var lines = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync([Statement(3)]));
        Assert.Equal((StatusCode.ResourceExhausted, "STATEMENT_LINES_EXHAUSTED"), (lines.StatusCode, lines.Reason()));
        Assert.Equal(TimeSpan.FromHours(14), lines.RetryDelay());
        Assert.Equal((1L, 3L), await StoredStatements.OfAsync(server, "icbc-gz"));

        var second = await bank.Fund.UploadBankStatementAsync([Statement(2)]);
        Assert.Equal(2, second.LinesReceived);
        var uploads = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync([Statement(0)]));
        Assert.Equal((StatusCode.ResourceExhausted, "STATEMENT_UPLOADS_EXHAUSTED", TimeSpan.FromHours(14)), (uploads.StatusCode, uploads.Reason(), uploads.RetryDelay()));
        Assert.Equal((2L, 5L), await StoredStatements.OfAsync(server, "icbc-gz"));
        // Another bank's quota is its own.
        Assert.Equal(1, (await server.As("boc-gz").Fund.UploadBankStatementAsync([Statement(1)])).LinesReceived);

        // The next business day (CST) the quota starts again.
        server.Clock.Set(new DateTimeOffset(2027, 7, 1, 16, 0, 0, TimeSpan.Zero));  // 2027-07-02 00:00 CST
        Assert.Equal(5, (await bank.Fund.UploadBankStatementAsync([Statement(5)])).LinesReceived);
    }

    [Fact]
    public async Task Packed_lines_count_against_the_daily_quota_as_lines_do()
    {
        server.Clock.Set(new DateTimeOffset(2027, 9, 1, 2, 0, 0, TimeSpan.Zero));
        var bank = server.As("gzrcb");
        var first = await bank.Fund.UploadPackedBankStatementAsync("2025-12-31", Statement(3).Lines, linesPerMessage: 2);
        Assert.Equal((3, 3), (first.LinesReceived, first.BreaksCount));

        // 3 + 3 > 5 lines today, though each message holds 2.
        var lines = await Assert.ThrowsAsync<RpcException>(async () =>
            await bank.Fund.UploadPackedBankStatementAsync("2025-12-31", Statement(3).Lines, linesPerMessage: 2));
        Assert.Equal((StatusCode.ResourceExhausted, "STATEMENT_LINES_EXHAUSTED"), (lines.StatusCode, lines.Reason()));
        Assert.Equal(TimeSpan.FromHours(14), lines.RetryDelay());
        Assert.Equal((1L, 3L), await StoredStatements.OfAsync(server, "gzrcb"));
        Assert.Equal(2, (await bank.Fund.UploadPackedBankStatementAsync("2025-12-31", Statement(2).Lines)).LinesReceived);
        Assert.Equal((2L, 5L), await StoredStatements.OfAsync(server, "gzrcb"));
    }

    [Fact]
    public async Task Breaks_are_deleted_after_the_retention_and_the_statement_keeps_its_totals()
    {
        server.Clock.Set(new DateTimeOffset(2027, 8, 1, 2, 0, 0, TimeSpan.Zero));
        var bank = server.As("ccb-gz");
        var old = await bank.Fund.UploadBankStatementAsync([Statement(2)]);
        Assert.Equal(2, (await bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = old.Name })).TrimEnd('\n').Split('\n').Length - 1);

        server.Clock.Set(new DateTimeOffset(2027, 8, 31, 3, 0, 0, TimeSpan.Zero));  // 30 days and an hour later
        await bank.Fund.UploadBankStatementAsync([Statement(1)]);
        var expired = await Assert.ThrowsAsync<RpcException>(async () =>
            await bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = old.Name }));
        Assert.Equal((StatusCode.FailedPrecondition, "BREAKS_EXPIRED"), (expired.StatusCode, expired.Reason()));
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select (select count(*) from bank_statement_breaks where statement_id = @s), (select breaks_count from bank_statements where id = @s)", conn);
        cmd.Parameters.AddWithValue("s", old.Name["statements/".Length..]);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((0L, 2), (reader.GetInt64(0), reader.GetInt32(1)));
    }

    [Fact]
    public void The_quota_and_retention_are_server_options_refusing_what_is_not_a_positive_whole_number()
    {
        var settings = ServerSettings.Parse(
            ["--statement-uploads-per-day", "3", "--statement-lines-per-day", "1000", "--statement-breaks-retention-days", "7"],
            name => name == "DANBAO_DB" ? "Host=x" : null);
        Assert.Equal(new StatementLimits { UploadsPerBankPerDayMax = 3, LinesPerBankPerDayMax = 1000, BreaksRetentionDays = 7 }, settings.Statements);
        Assert.Equal(new StatementLimits(), ServerSettings.Parse([], name => name == "DANBAO_DB" ? "Host=x" : null).Statements);
        var bad = Assert.Throws<ArgumentException>(() => ServerSettings.Parse(["--statement-lines-per-day", "1,000"], name => name == "DANBAO_DB" ? "Host=x" : null));
        Assert.Equal("--statement-lines-per-day must be a whole number from 1 to 2147483647, not '1,000'", bad.Message);
    }

    private static int _loans;

    /// <summary>A statement as of 2025-12-31 of <paramref name="lines"/> loans the fund never guaranteed: each is a MISSING_HERE break.</summary>
    private static UploadBankStatementRequest Statement(int lines)
    {
        var request = new UploadBankStatementRequest { AsOfDate = "2025-12-31" };
        for (var i = 0; i < lines; i++)
        {
            request.Lines.Add(new StatementLine { Loan = $"loans/L{Interlocked.Increment(ref _loans):D20}", OutstandingFen = 10_000_00 });
        }
        return request;
    }
}
