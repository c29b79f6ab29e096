using System.Buffers.Binary;
using Danbao.Contracts.V1;

namespace Danbao.Client;

/// <summary>
/// Writes statement lines in the packed form of UploadBankStatementRequest.packed_lines (layout in
/// fund.proto): a length byte, the loan id in printable ASCII, the amount as a big-endian int64.
/// </summary>
public static class PackedStatementLines
{
    /// <summary>Most lines the server takes in one message's block.</summary>
    public const int LinesPerMessageMax = 10_000;

    /// <summary>
    /// A message's block is sent once it reaches this size: 64 KiB keeps it below the 85,000 bytes from
    /// which .NET puts an array on the large object heap, on the client and on the server that parses it.
    /// </summary>
    public const int BlockBytesTarget = 64 * 1024;

    /// <summary>The most bytes one line takes: the length byte, a 34-byte id and the amount.</summary>
    public const int LineBytesMax = 1 + LoanIdBytesMax + sizeof(long);

    private const int LoanIdBytesMin = 2;
    private const int LoanIdBytesMax = 34;
    private const string LoanPrefix = "loans/";

    /// <summary>
    /// Writes <paramref name="loan"/> (`loans/{id}`) and <paramref name="outstandingFen"/> at the start of
    /// <paramref name="destination"/> (at least <see cref="LineBytesMax"/> bytes); returns the bytes written.
    /// ArgumentException when the name has no packed form (not `loans/` and 2 to 34 printable ASCII characters).
    /// </summary>
    public static int Write(Span<byte> destination, string loan, long outstandingFen)
    {
        ArgumentNullException.ThrowIfNull(loan);
        var id = loan.StartsWith(LoanPrefix, StringComparison.Ordinal) ? loan.AsSpan(LoanPrefix.Length) : default;
        if (id.Length is < LoanIdBytesMin or > LoanIdBytesMax || id.ContainsAnyExceptInRange('!', '~'))
        {
            throw new ArgumentException($"'{loan}' is not a loan name of 2 to 34 printable ASCII characters after loans/", nameof(loan));
        }
        destination[0] = (byte)id.Length;
        for (var i = 0; i < id.Length; i++)
        {
            destination[1 + i] = (byte)id[i];
        }
        BinaryPrimitives.WriteInt64BigEndian(destination[(1 + id.Length)..], outstandingFen);
        return 1 + id.Length + sizeof(long);
    }

    /// <summary>
    /// The lines as messages of packed blocks (as_of_date in the first), each up to <see cref="BlockBytesTarget"/>
    /// or <paramref name="linesPerMessage"/> lines. One message and one buffer are reused: take each message
    /// before the next is asked for (a stream writer serialises it on write).
    /// </summary>
    public static IEnumerable<UploadBankStatementRequest> Messages(string asOfDate, IEnumerable<StatementLine> lines, int linesPerMessage = LinesPerMessageMax)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerMessage);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(linesPerMessage, LinesPerMessageMax);
        var buffer = new byte[BlockBytesTarget + LineBytesMax];
        var message = new UploadBankStatementRequest { AsOfDate = asOfDate };
        var (used, count, sent) = (0, 0, false);
        foreach (var line in lines)
        {
            used += Write(buffer.AsSpan(used), line.Loan, line.OutstandingFen);
            if (++count == linesPerMessage || used >= BlockBytesTarget)
            {
                message.PackedLines = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, used));
                yield return message;
                sent = true;
                message.AsOfDate = "";
                (used, count) = (0, 0);
            }
        }
        if (count > 0 || !sent)
        {
            message.PackedLines = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, used));
            yield return message;
        }
    }
}
