using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Danbao.Data.Fund;

/// <summary>
/// A statement's lines as PostgreSQL's binary COPY format (loan_id text, fen bigint), encoded straight
/// into one pooled buffer and sent when it fills: nothing is allocated per line, and the server holds
/// at most one buffer per upload whatever the statement's size. <see cref="Add"/> is synchronous; the
/// caller awaits <see cref="FlushAsync"/> when it returns true.
/// </summary>
public sealed class StatementLinesWriter : IAsyncDisposable
{
    private const int BufferBytes = 256 * 1024;

    // Room one more line may need: field count, two lengths, the bigint and the longest loan id in UTF-8.
    private const int LineBytesMax = 2 + 4 + 4 + 8 + 3 * LoanIdCharsMax;

    /// <summary>Longest loan id a line may carry (the handler refuses longer names before they get here).</summary>
    public const int LoanIdCharsMax = 64;

    // The signature "PGCOPY\n\xff\r\n\0", then no flags and no header extension.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly NpgsqlRawCopyStream _stream;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly CancellationToken _ct;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _used;
    private bool _completed;

    private StatementLinesWriter(NpgsqlRawCopyStream stream, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        _stream = stream;
        _connection = connection;
        _transaction = transaction;
        _ct = ct;
    }

    internal static StatementLinesWriter Start(NpgsqlRawCopyStream stream, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var writer = new StatementLinesWriter(stream, connection, transaction, ct);
        Header.CopyTo(writer._buffer);
        writer._used = Header.Length;
        return writer;
    }

    /// <summary>Encodes one line; true when the buffer is full enough that the caller must flush before the next.</summary>
    public bool Add(ReadOnlySpan<char> loanId, long fen)
    {
        if (loanId.Length > LoanIdCharsMax)
        {
            throw new ArgumentOutOfRangeException(nameof(loanId), $"a loan id is at most {LoanIdCharsMax} characters");
        }
        var span = _buffer.AsSpan(_used);
        BinaryPrimitives.WriteInt16BigEndian(span, 2);
        var length = Encoding.UTF8.GetBytes(loanId, span[6..]);
        BinaryPrimitives.WriteInt32BigEndian(span[2..], length);
        var at = 6 + length;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], 8);
        BinaryPrimitives.WriteInt64BigEndian(span[(at + 4)..], fen);
        _used += at + 12;
        return BufferBytes - _used < LineBytesMax;
    }

    /// <summary>
    /// Encodes one line whose loan id is already bytes (the packed form, ASCII checked by the caller): a copy,
    /// no transcoding. True when the caller must flush before the next.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> loanId, long fen)
    {
        if (loanId.Length > LoanIdCharsMax)
        {
            throw new ArgumentOutOfRangeException(nameof(loanId), $"a loan id is at most {LoanIdCharsMax} bytes");
        }
        var span = _buffer.AsSpan(_used);
        BinaryPrimitives.WriteInt16BigEndian(span, 2);
        BinaryPrimitives.WriteInt32BigEndian(span[2..], loanId.Length);
        loanId.CopyTo(span[6..]);
        var at = 6 + loanId.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], 8);
        BinaryPrimitives.WriteInt64BigEndian(span[(at + 4)..], fen);
        _used += at + 12;
        return BufferBytes - _used < LineBytesMax;
    }

    /// <summary>Sends what is buffered.</summary>
    public async Task FlushAsync()
    {
        if (_used > 0)
        {
            await _stream.WriteAsync(_buffer.AsMemory(0, _used), _ct);
            _used = 0;
        }
    }

    /// <summary>Ends the COPY and indexes the lines by loan (the merge's order); a loan twice is reported here (unique violation).</summary>
    public async Task CompleteAsync()
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_used), -1);
        _used += 2;
        await FlushAsync();
        _completed = true;
        await _stream.DisposeAsync();
        await using var index = new NpgsqlCommand("create unique index statement_lines_loan on statement_lines (loan_id)", _connection, _transaction)
        {
            CommandTimeout = StatementStore.CompareTimeoutSeconds,
        };
        await index.ExecuteNonQueryAsync(_ct);
    }

    /// <summary>Abandons an unfinished COPY (a refused line): the transaction rolls back anyway.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _completed = true;
            try
            {
                await _stream.CancelAsync();
                await _stream.DisposeAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException or IOException)
            {
                // The COPY is being abandoned because the call already failed: that failure is the answer.
            }
        }
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
