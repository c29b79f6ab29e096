using System.Buffers.Binary;

namespace Danbao.Server.Fund;

/// <summary>
/// The packed form of a statement's lines (UploadBankStatementRequest.packed_lines, layout in fund.proto):
/// per line a length byte, the loan id in printable ASCII and the amount as a big-endian int64. Read in
/// place: a line is a slice of the message's block, never an object.
/// </summary>
public static class PackedStatementLines
{
    /// <summary>Most lines one message's block may hold.</summary>
    public const int LinesPerMessageMax = 10_000;

    // Loan ids' lengths, as for a `loans/{id}` name.
    private static int LoanIdBytesMin => Resources.ResourceNames.Loan.IdLengthMin;

    private static int LoanIdBytesMax => Resources.ResourceNames.Loan.IdLengthMax;

    /// <summary>
    /// Reads the line at <paramref name="at"/> and moves past it; null when it is well-formed, otherwise
    /// what is wrong with it (<paramref name="at"/> is then not moved).
    /// </summary>
    public static string? Read(ReadOnlySpan<byte> block, ref int at, out Range loanId, out long fen)
    {
        loanId = default;
        fen = 0;
        var length = block[at];
        if (length < LoanIdBytesMin || length > LoanIdBytesMax)
        {
            return $"its loan id's length byte is {length}; a loan id has {LoanIdBytesMin} to {LoanIdBytesMax} bytes";
        }
        var end = at + 1 + length + sizeof(long);
        if (end > block.Length)
        {
            return $"the block ends inside it ({block.Length - at} bytes left, {1 + length + sizeof(long)} needed)";
        }
        var id = block.Slice(at + 1, length);
        if (id.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) is var bad and >= 0)
        {
            return $"its loan id has byte 0x{id[bad]:X2} at {bad}; loan ids are printable ASCII (0x21-0x7E)";
        }
        var amount = BinaryPrimitives.ReadInt64BigEndian(block[(at + 1 + length)..]);
        if (amount < 0)
        {
            return $"its outstanding_fen is {amount}; amounts are ≥ 0";
        }
        loanId = new Range(at + 1, at + 1 + length);
        fen = amount;
        at = end;
        return null;
    }
}
