using Dapper;
using Danbao.Data.Policy;
using Danbao.Domain;
using Danbao.Domain.Compensation;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Results;
using Danbao.TestSupport;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>migrations/0060_policy_version_governance.sql on a real PostgreSQL, read and written through a session's PolicyStore.</summary>
public sealed class PolicyGovernanceMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<PolicyReferenceData> LoadAsync(Database database)
    {
        await using var session = await database.OpenReadSessionAsync(CancellationToken.None);
        return await session.Policy.LoadAsync();
    }

    /// <summary>The service's Database over a test's own data source (disposing it disposes the source); no retries.</summary>
    private static Database Over(NpgsqlDataSource dataSource) =>
        new(dataSource, new DatabaseOptions { ConnectionString = dataSource.ConnectionString, TransactionAttemptsMax = 1 });

    private sealed class AlreadyThere : Exception;

    /// <summary>Runs <paramref name="write"/> in a committed write session.</summary>
    private static Task WriteAsync(Database database, Action<Sessions.DbSession> write) =>
        database.InSessionAsync(session => { write(session); return Task.FromResult(0); }, CancellationToken.None);

    private static string? GoverningId(PolicyResolver policy, string key, RegionCode region, string date)
    {
        var resolved = policy.Resolve(key, region, D(date));
        return resolved.IsOk ? resolved.Value.Version.Id : null;
    }

    [Fact]
    public async Task Migration_dates_the_guangzhou_hk_macau_youth_9_to_1_share_from_2024_02_06_to_2029_02_05()
    {
        var policy = (await LoadAsync(postgres.Database)).Resolver;
        const string key = PolicyParameters.RiskShareFundHkMacauYouthBp;
        Assert.Null(GoverningId(policy, key, RegionCode.Guangzhou, "2024-01-15"));
        Assert.Equal("CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06", GoverningId(policy, key, RegionCode.Guangzhou, "2024-02-06"));
        Assert.Equal("CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06", GoverningId(policy, key, RegionCode.Guangzhou, "2029-02-05"));
        Assert.Null(GoverningId(policy, key, RegionCode.Guangzhou, "2029-02-06"));

        // A guarantee signed 2024-01-15 for an HK/Macau youth is 8:2 (policy.md §6).
        var early = RiskShare.For(policy.At(RegionCode.Guangzhou, D("2024-01-15")), hkMacauYouth: true).Value;
        Assert.Equal(Ratio.FromBp(8000), early.FundShare);
        var inForce = RiskShare.For(policy.At(RegionCode.Guangzhou, D("2024-02-06")), hkMacauYouth: true).Value;
        Assert.Equal(Ratio.FromBp(9000), inForce.FundShare);
    }

    [Fact]
    public async Task Migration_states_8_to_2_for_guangzhou_from_2024_02_06_and_as_a_product_default_elsewhere()
    {
        var policy = (await LoadAsync(postgres.Database)).Resolver;
        const string key = PolicyParameters.RiskShareFundBp;
        Assert.Equal("CN-GD-GZ:RISK_SHARE_FUND_BP:2024-02-06", GoverningId(policy, key, RegionCode.Guangzhou, "2025-06-01"));
        Assert.Equal("CN:RISK_SHARE_FUND_BP:2020-01-01:r2", GoverningId(policy, key, RegionCode.Guangzhou, "2024-02-05"));
        Assert.Equal("CN:RISK_SHARE_FUND_BP:2020-01-01:r2", GoverningId(policy, key, RegionCode.Guangzhou, "2029-02-06"));
        Assert.Equal("CN:RISK_SHARE_FUND_BP:2020-01-01:r2", GoverningId(policy, key, RegionCode.Shenzhen, "2025-06-01"));
        Assert.Contains("[A]", policy.Find("CN:RISK_SHARE_FUND_BP:2020-01-01:r2")!.Source);
    }

    [Fact]
    public async Task Migration_starts_the_counter_guarantee_exemption_on_2023_08_11()
    {
        var policy = (await LoadAsync(postgres.Database)).Resolver;
        Money Threshold(RegionCode region, string date) => policy.At(region, D(date)).CounterGuaranteeThreshold;
        Assert.Equal(Money.Zero, Threshold(RegionCode.Guangzhou, "2023-08-10"));
        Assert.Equal(Money.FromWholeYuan(100_000), Threshold(RegionCode.Guangzhou, "2023-08-11"));
        Assert.Equal(Money.Zero, Threshold(new RegionCode("CN-HN"), "2025-06-01"));
    }

    [Fact]
    public async Task Migration_supersedes_the_old_seed_rows_without_editing_or_deleting_them()
    {
        var data = await LoadAsync(postgres.Database);
        var superseded = data.Versions.Where(v => v.IsWithdrawn).ToList();
        Assert.Equal(
            ["CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-01-01", "CN:COUNTER_GUARANTEE_THRESHOLD:2020-01-01", "CN:RISK_SHARE_FUND_BP:2020-01-01"],
            superseded.Select(v => v.Id).Order(StringComparer.Ordinal));
        Assert.All(superseded, v => Assert.Equal(PolicyWithdrawalKind.Superseded, v.Withdrawal!.Kind));
        Assert.All(superseded, v => Assert.NotNull(data.Resolver.Find(v.Withdrawal!.ReplacedById!)));

        await using var conn = await postgres.DataSource.OpenConnectionAsync();
        Assert.Equal(37, await conn.ExecuteScalarAsync<int>("select count(*) from policy_versions where created_by = 'seed:0010'"));
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync("update policy_version_withdrawals set reason = 'x' where version_id = 'CN:RISK_SHARE_FUND_BP:2020-01-01'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync("delete from policy_version_withdrawals"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
    }

    [Fact]
    public async Task Migration_allows_one_live_version_per_date_and_withdrawal_only_before_the_effective_date()
    {
        await using var database = Over((await postgres.CreateDatabaseAsync()).CreateDataSource());
        var dataSource = database.DataSource;
        var future = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30);
        var version = PolicyVersion.TryCreate(PolicyParameters.RateSpreadBp, "CN-HN", future, "150", "central/western +150BP").Value;

        await using var conn = await dataSource.OpenConnectionAsync();
        await WriteAsync(database, session => session.Policy.InsertVersion(version, "ADMIN", exists: () => new AlreadyThere()));
        await Assert.ThrowsAsync<AlreadyThere>(() => WriteAsync(database, session => session.Policy.InsertVersion(version, "ADMIN", exists: () => new AlreadyThere())));

        // A second live row for the same (parameter, region, date) under another id fails at commit.
        var twoLive = await Assert.ThrowsAsync<PostgresException>(() =>
            WriteAsync(database, session => session.Policy.InsertVersion(version.WithId(version.Id + ":r2"), "ADMIN", exists: () => new AlreadyThere())));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, twoLive.SqlState);

        // Withdrawn before it takes effect, then announced again under the revision id the resolver gives.
        var loaded = (await LoadAsync(database)).Resolver;
        var withdrawn = PolicyGovernance.CheckWithdrawal(PolicyWriter.Admin, loaded.Find(version.Id)!, "announced by mistake", future.AddDays(-30)).Value;
        Assert.Equal(ReasonCodes.PolicyVersionExists, loaded.CheckNew(version).Refusal!.Code);
        await WriteAsync(database, session => session.Policy.InsertWithdrawal(withdrawn, "ADMIN", null, withdrawnAlready: () => new AlreadyThere()));
        await Assert.ThrowsAsync<AlreadyThere>(() =>
            WriteAsync(database, session => session.Policy.InsertWithdrawal(withdrawn, "ADMIN", null, withdrawnAlready: () => new AlreadyThere())));
        var reloaded = (await LoadAsync(database)).Resolver;
        Assert.True(reloaded.Find(version.Id)!.IsWithdrawn);
        var revision = reloaded.CheckNew(version).Value;
        Assert.Equal(version.Id + ":r2", revision.Id);
        await WriteAsync(database, session => session.Policy.InsertVersion(revision, "ADMIN", exists: () => new AlreadyThere()));
        Assert.Equal(revision.Id, (await LoadAsync(database)).Resolver.Resolve(PolicyParameters.RateSpreadBp, new RegionCode("CN-HN"), future).Value.Version.Id);

        // A version already in force cannot be withdrawn, even by a direct insert.
        var inForce = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "insert into policy_version_withdrawals (version_id, kind, reason, withdrawn_by) values ('CN:INDIVIDUAL_LOAN_CAP:2023-10-01', 'WITHDRAWN', 'x', 'ADMIN')"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, inForce.SqlState);
    }

    [Fact]
    public async Task Migration_keeps_end_dates_and_refuses_an_end_before_the_start()
    {
        await using var database = Over((await postgres.CreateDatabaseAsync()).CreateDataSource());
        var dataSource = database.DataSource;
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10);
        var ending = PolicyVersion.TryCreate(PolicyParameters.PublicityLength, "CN-GD-SZ", from, from.AddDays(99), "5", "temporary").Value;
        await using var conn = await dataSource.OpenConnectionAsync();
        await WriteAsync(database, session => session.Policy.InsertVersion(ending, "ADMIN", exists: () => new AlreadyThere()));
        var policy = (await LoadAsync(database)).Resolver;
        Assert.Equal(from.AddDays(99), policy.Find(ending.Id)!.EffectiveTo);
        Assert.Equal(ending.Id, policy.Resolve(PolicyParameters.PublicityLength, RegionCode.Shenzhen, from.AddDays(99)).Value.Version.Id);
        Assert.Equal(RegionCode.Guangdong, policy.Resolve(PolicyParameters.PublicityLength, RegionCode.Shenzhen, from.AddDays(100)).Value.Version.Region);

        var backwards = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "insert into policy_versions (id, parameter_key, region_code, effective_from, effective_to, value_kind, value, source, created_by) " +
            "values ('x', 'PUBLICITY_LENGTH', 'CN-GD-FS', '2030-01-02', '2030-01-01', 'INT', '3', 's', 'ADMIN')"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, backwards.SqlState);
    }
}
