using System.Buffers.Binary;
using System.Text;

namespace Danbao.Data.Subsidy;

/// <summary>
/// Claim lines in PostgreSQL's binary COPY format, encoded into one reusable buffer and sent in chunks (raw binary
/// COPY): NpgsqlBinaryImporter.Write resolved a type and ran an async state machine for each of a row's 25 fields,
/// about a tenth of the server's work per filed line. The columns and their order are <see cref="SubsidyStore"/>'s
/// LineColumns; a field is its byte length (−1 for NULL) and its value: text as UTF-8, date as days from
/// 2000-01-01, integers big-endian. A stream encodes a batch's rows as it judges them, so the batch keeps one buffer
/// (reused for every batch) instead of a row object per line until its COPY.
/// </summary>
public sealed class ClaimLineCopyRows
{
    /// <summary>The fields of a row (LineColumns).</summary>
    public const short Fields = 25;

    /// <summary>Room for a typical row (~285 bytes: the ids, codes and figures of a line), so a batch's buffer is sized once.</summary>
    public const int RowBytes = 320;

    /// <summary>The format's signature, flags and header extension length.</summary>
    internal static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The end of the data: a field count of −1.</summary>
    internal static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    private byte[] _buffer;
    private int _length;

    public ClaimLineCopyRows(int capacity = 64 * 1024)
    {
        _buffer = new byte[Math.Max(capacity, 64)];
        Clear();
    }

    /// <summary>The rows encoded since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes encoded since the last <see cref="Clear"/>, the format's header first.</summary>
    internal ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>Forgets the rows, keeping the buffer.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
        Raw(Header);
    }

    internal void Raw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>One line's row.</summary>
    public void Add(SubsidyClaimLineRecord line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Row(line, StoredMessage(line));
        Count++;
    }

    /// <summary>
    /// A DIFFERS line's message is made from figures its row keeps (<see cref="SubsidyClaimRows.MessageOf(SubsidyClaimLineRecord)"/>),
    /// so it is stored empty and made again when read: the text was half of such a row, written once by the filing and
    /// again by every update of review and settlement.
    /// </summary>
    private static string StoredMessage(SubsidyClaimLineRecord l) =>
        l.Flag == "DIFFERS" && l.PeriodStart is not null && l.PeriodEnd is not null ? "" : l.Message;

    /// <summary>One line's row, its fields in LineColumns' order.</summary>
    private void Row(SubsidyClaimLineRecord l, string storedMessage)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), Fields);
        Text(l.ClaimId);
        Text(l.LoanId);
        Text(l.BankId);
        Date(l.QuarterStart);
        Text(l.RegionCode);
        Text(l.District);
        Int8(l.InterestPaidFen);
        Int8(l.SubsidyClaimedFen);
        Text(l.Flag);
        Text(l.NotPayableReason);
        Date(l.PeriodStart);
        Date(l.PeriodEnd);
        Int4(l.Days);
        Int4(l.ExcludedDays);
        Int8(l.ExpectedInterestFen);
        Int8(l.ExpectedSubsidyFen);
        Int8(l.RecordedInterestFen);
        Text(l.Formula);
        Text(l.Decision);
        Text(l.RejectionReason);
        Int8(l.ApprovedSubsidyFen);
        Text(storedMessage);
        Text(l.LateFiling);
        Text(l.LateReason);
        Int8(l.PayableSubsidyFen);
    }

    private void Text(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }
        var span = Reserve(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var bytes = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, bytes);
        _length -= span.Length - 4 - bytes; // give back what the text did not use
    }

    private void Date(DateOnly? value)
    {
        if (value is not { } d)
        {
            Null();
            return;
        }
        var span = Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], d.DayNumber - PostgresEpochDay);
    }

    private void Int8(long value)
    {
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
    }

    private void Int4(int value)
    {
        var span = Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
    }

    private void Null() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
        var span = _buffer.AsSpan(_length, bytes);
        _length += bytes;
        return span;
    }
}
