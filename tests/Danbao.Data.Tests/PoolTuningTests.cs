using Npgsql;

namespace Danbao.Data.Tests;

public sealed class PoolTuningTests
{
    [Fact]
    public void The_service_pool_prepares_statements_and_does_not_reset_connections_by_default()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PoolTuning.WithServiceDefaults("Host=db;Username=app;Database=danbao"));

        Assert.Equal(PoolTuning.AutoPrepareStatementsMax, tuned.MaxAutoPrepare);
        Assert.Equal(PoolTuning.AutoPrepareUsagesMin, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;MaxAutoPrepare=0;NoResetOnClose=false")]
    public void A_value_the_connection_string_sets_wins(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PoolTuning.WithServiceDefaults(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }
}
