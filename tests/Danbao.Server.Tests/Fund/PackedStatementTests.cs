using System.Buffers.Binary;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Danbao.Server.Tests.Fund;

/// <summary>
/// A statement's lines in the packed form (packed_lines: length byte, ASCII loan id, big-endian int64 fen per
/// line): compared exactly as the same lines sent as `lines`; a malformed block is refused naming packed_lines
/// and stores nothing; one form per statement.
/// </summary>
public sealed class PackedStatementTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_packed_statement_reports_exactly_the_breaks_of_the_same_lines_sent_as_lines()
    {
        var steps = new FundSteps(server, "boc-gz");
        var a = await steps.Disbursed();
        var b = await steps.Disbursed();
        var c = await steps.Disbursed();
        var d = await steps.Disbursed();
        // 50,000 of d's principal repaid (with 11 days' interest, 213.89): 150,000 outstanding.
        await steps.Loans.Repay(d, 50_000_00 + 213_89, "2025-07-01");
        // Planted: b's amount differs, c is left out, a loan the fund never guaranteed is listed, one line is 0.
        StatementLine[] lines =
        [
            new() { Loan = a.Name, OutstandingFen = 200_000_00 },
            new() { Loan = b.Name, OutstandingFen = 199_000_00 },
            new() { Loan = d.Name, OutstandingFen = 150_000_00 },
            new() { Loan = "loans/L00000000000000000000", OutstandingFen = 80_000_00 },
            new() { Loan = "loans/L00000000000000000001", OutstandingFen = 0 },
        ];

        var plain = await steps.Bank.Fund.UploadBankStatementAsync("2025-12-31", lines, linesPerMessage: 2);
        var packed = await steps.Bank.Fund.UploadPackedBankStatementAsync("2025-12-31", lines, linesPerMessage: 2);

        Assert.Equal((5, 2, 3), (packed.LinesReceived, packed.LoansMatched, packed.BreaksCount));
        Assert.Equal((750_000_00L, 629_000_00L), (packed.OursTotalFen, packed.TheirsTotalFen));
        Assert.Equal(
            (plain.LinesReceived, plain.LoansMatched, plain.BreaksCount, plain.OursTotalFen, plain.TheirsTotalFen),
            (packed.LinesReceived, packed.LoansMatched, packed.BreaksCount, packed.OursTotalFen, packed.TheirsTotalFen));
        var breaks = packed.Breaks.OrderBy(x => x.Loan, StringComparer.Ordinal).Select(x => (x.Loan, x.Kind, x.OursFen, x.TheirsFen)).ToList();
        Assert.Equal(plain.Breaks.OrderBy(x => x.Loan, StringComparer.Ordinal).Select(x => (x.Loan, x.Kind, x.OursFen, x.TheirsFen)).ToList(), breaks);
        Assert.Equal(
            new[]
            {
                ("loans/L00000000000000000000", BreakKind.MissingHere, 0L, 80_000_00L),
                (b.Name, BreakKind.AmountDiffers, 200_000_00L, 199_000_00L),
                (c.Name, BreakKind.MissingThere, 200_000_00L, 0L),
            }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            breaks);
        var csv = await steps.Bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = packed.Name });
        Assert.Equal(await steps.Bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = plain.Name }), csv);
    }

    public static TheoryData<string, string, byte[]> MalformedBlocks => new()
    {
        { "a length byte of 0", "line 2 of the message: its loan id's length byte is 0", [.. Line("L01", 1), 0, .. new byte[8]] },
        { "a length byte of 35", "line 1 of the message: its loan id's length byte is 35", [35, .. new byte[43]] },
        { "a block that ends inside a line", "line 2 of the message: the block ends inside it", [.. Line("L01", 1), .. Line("L02", 2)[..^1]] },
        { "a byte outside printable ASCII", "line 1 of the message: its loan id has byte 0x20 at 1", Line("L 1", 1) },
        { "a negative amount", "line 2 of the message: its outstanding_fen is -1", [.. Line("L01", 1), .. Line("L02", -1)] },
        { "10,001 lines in one message", "at most 10000 lines a message", [.. Enumerable.Range(0, 10_001).SelectMany(i => Line($"L{i:D6}", 1))] },
    };

    [Theory]
    [MemberData(nameof(MalformedBlocks))]
    public async Task A_malformed_packed_block_is_refused_naming_packed_lines_and_nothing_is_stored(string what, string violation, byte[] block)
    {
        var bank = server.As("gzrcb");
        var before = await StoredStatements.OfAsync(server, "gzrcb");
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync(
        [
            new UploadBankStatementRequest { AsOfDate = "2025-12-31", PackedLines = ByteString.CopyFrom([.. Line("L99", 5)]) },
            new UploadBankStatementRequest { PackedLines = ByteString.CopyFrom(block) },
        ]));
        Assert.True(refused.StatusCode == StatusCode.InvalidArgument, what);
        var field = Assert.Single(refused.FieldViolations());
        Assert.Equal("packed_lines", field.Field);
        Assert.StartsWith(violation, field.Description, StringComparison.Ordinal);
        Assert.Equal(before, await StoredStatements.OfAsync(server, "gzrcb"));
    }

    [Fact]
    public async Task A_statement_sends_its_lines_in_one_form_and_refuses_a_mix_storing_nothing()
    {
        var bank = server.As("ccb-gz");
        var line = new StatementLine { Loan = "loans/L00000000000000000007", OutstandingFen = 1_00 };
        var both = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync(
        [
            new UploadBankStatementRequest { AsOfDate = "2025-12-31", Lines = { line }, PackedLines = ByteString.CopyFrom(Line("L02", 1)) },
        ]));
        Assert.Equal((StatusCode.InvalidArgument, "packed_lines"), (both.StatusCode, Assert.Single(both.FieldViolations()).Field));

        var packedAfterLines = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync(
        [
            new UploadBankStatementRequest { AsOfDate = "2025-12-31", Lines = { line } },
            new UploadBankStatementRequest { PackedLines = ByteString.CopyFrom(Line("L02", 1)) },
        ]));
        Assert.Equal((StatusCode.InvalidArgument, "packed_lines"), (packedAfterLines.StatusCode, Assert.Single(packedAfterLines.FieldViolations()).Field));

        var linesAfterPacked = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadBankStatementAsync(
        [
            new UploadBankStatementRequest { AsOfDate = "2025-12-31", PackedLines = ByteString.CopyFrom(Line("L02", 1)) },
            new UploadBankStatementRequest(),
            new UploadBankStatementRequest { Lines = { line } },
        ]));
        Assert.Equal((StatusCode.InvalidArgument, "lines"), (linesAfterPacked.StatusCode, Assert.Single(linesAfterPacked.FieldViolations()).Field));
        Assert.Equal((0L, 0L), await StoredStatements.OfAsync(server, "ccb-gz"));

        // A loan twice across packed messages is refused like a duplicate in `lines`, naming packed_lines.
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await bank.Fund.UploadPackedBankStatementAsync("2025-12-31", [line, line], linesPerMessage: 1));
        Assert.Equal((StatusCode.InvalidArgument, "packed_lines"), (twice.StatusCode, Assert.Single(twice.FieldViolations()).Field));
        Assert.Equal((0L, 0L), await StoredStatements.OfAsync(server, "ccb-gz"));
    }

    /// <summary>One packed line: the length byte, the id, the amount big-endian.</summary>
    private static byte[] Line(string id, long fen)
    {
        var bytes = new byte[1 + id.Length + 8];
        bytes[0] = (byte)id.Length;
        System.Text.Encoding.ASCII.GetBytes(id, bytes.AsSpan(1));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1 + id.Length), fen);
        return bytes;
    }
}
