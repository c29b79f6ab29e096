using Npgsql;

namespace Danbao.Data.Sessions;

/// <summary>
/// One statement of a batch and what to do with its result: a store builds it, the session sends
/// it with others in one round trip (<see cref="DbSession"/>), and <see cref="Value"/> holds what
/// <c>read</c> made of its rows.
/// </summary>
public sealed class Query<T>
{
    private readonly Func<NpgsqlDataReader, CancellationToken, Task<T>> _read;
    private T? _value;
    private bool _done;

    public Query(NpgsqlBatchCommand command, Func<NpgsqlDataReader, CancellationToken, Task<T>> read)
    {
        Command = command;
        _read = read;
    }

    public NpgsqlBatchCommand Command { get; }

    public T Value => _done ? _value! : throw new InvalidOperationException("The query has not run yet.");

    internal BatchItem Item => new(Command, async (reader, ct) =>
    {
        _value = await _read(reader, ct);
        _done = true;
    }, null);
}

/// <summary>
/// A statement in a batch. <c>Read</c> (for a statement that returns rows, even none) consumes its
/// result set; <c>After</c> runs once the batch's reader is closed, with the statement's row count,
/// and may query again or throw (a refused optimistic update, a replayed request id).
/// </summary>
internal sealed record BatchItem(
    NpgsqlBatchCommand Command,
    Func<NpgsqlDataReader, CancellationToken, Task>? Read,
    Func<int, Task>? After);
