using Dapper;
using Npgsql;

namespace Danbao.Data.Sessions;

/// <summary>
/// Queries whose rows Dapper maps (by column name, as <c>QueryAsync&lt;T&gt;</c> does), for a session's
/// batch; and <see cref="Prefetch{T}"/>, which sends a query with the next round trip.
/// </summary>
public static class DapperRows
{
    /// <summary>The first row as <typeparamref name="T"/>, or null when there is none.</summary>
    public static Query<T?> SingleOrDefault<T>(NpgsqlBatchCommand command) where T : class =>
        new(command, async (r, ct) => await r.ReadAsync(ct) ? r.GetRowParser<T>()(r) : null);

    /// <summary>Every row as <typeparamref name="T"/>.</summary>
    public static Query<List<T>> List<T>(NpgsqlBatchCommand command) =>
        new(command, async (r, ct) =>
        {
            var rows = new List<T>();
            if (await r.ReadAsync(ct))
            {
                var parse = r.GetRowParser<T>();
                do
                {
                    rows.Add(parse(r));
                }
                while (await r.ReadAsync(ct));
            }
            return rows;
        });

    /// <summary>A command with its parameters, positional-free: <c>Command(sql, ("id", id), …)</c>.</summary>
    public static NpgsqlBatchCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>
    /// Queues <paramref name="query"/> for the session's next round trip (with the next read or flush);
    /// its <see cref="Query{T}.Value"/> is set once that batch has run. For loads of more queries than
    /// <see cref="DbSession.ReadAsync{T1,T2,T3}"/> takes.
    /// </summary>
    public static void Prefetch<T>(this DbSession session, Query<T> query)
    {
        var item = query.Item;
        session.Queue(item.Command, item.Read!);
    }
}
