using Npgsql;

namespace Danbao.Server.Tests.Support;

/// <summary>What the database kept of a bank's uploaded statements, read directly (a refusal must store nothing).</summary>
public static class StoredStatements
{
    public static async Task<(long Statements, long Lines)> OfAsync(DanbaoServer server, string bank)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*), coalesce(sum(lines_received), 0)::bigint from bank_statements where bank_id = @b", conn);
        cmd.Parameters.AddWithValue("b", bank);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
