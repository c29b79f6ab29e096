namespace Danbao.Grpc.Tests;

public sealed class WireFormatTests
{
    [Theory]
    [InlineData("1H", 3600_000.0)]
    [InlineData("2M", 120_000.0)]
    [InlineData("3S", 3000.0)]
    [InlineData("250m", 250.0)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2.0)]
    public void Grpc_timeout_units_parse_to_milliseconds(string header, double expectedMs)
    {
        Assert.True(GrpcTimeout.TryParse(header, out TimeSpan timeout));
        Assert.Equal(expectedMs, timeout.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1x")]
    public void Malformed_grpc_timeout_is_refused(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void Huge_grpc_timeout_is_capped_not_overflowed()
    {
        Assert.True(GrpcTimeout.TryParse("99999999H", out TimeSpan timeout));
        Assert.Equal(GrpcTimeout.Max, timeout);
    }

    [Fact]
    public void Formatted_timeout_fits_eight_digits_and_round_trips()
    {
        foreach (TimeSpan t in new[] { TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromHours(5) })
        {
            string header = GrpcTimeout.Format(t);
            Assert.True(header.Length <= 9, header);
            Assert.True(GrpcTimeout.TryParse(header, out TimeSpan parsed));
            Assert.Equal(t, parsed);
        }
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(TimeSpan.FromDays(3000)), out TimeSpan capped));
        Assert.Equal(GrpcTimeout.Max, capped);
    }

    [Fact]
    public void Status_message_percent_encoding_round_trips_unicode_and_controls()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100%";
        string encoded = StatusMessageEncoding.Encode(message);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(message, StatusMessageEncoding.Decode(encoded));
        Assert.Equal("plain text", StatusMessageEncoding.Encode("plain text"));
        Assert.Equal("bad %zz escape", StatusMessageEncoding.Decode("bad %zz escape"));
    }

    [Fact]
    public void Metadata_keys_are_case_insensitive_and_binary_keys_need_bytes()
    {
        var metadata = new Metadata().Add("X-Loan-Id", "L-1").Add("Trace-Bin", new byte[] { 1, 2 });
        Assert.Equal("L-1", metadata.Get("x-loan-id"));
        Assert.Equal(new byte[] { 1, 2 }, metadata.GetBytes("TRACE-BIN"));
        Assert.Equal("x-loan-id", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("x-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-name", "中文"));
    }

    [Fact]
    public void Rich_error_factory_packs_bad_request_and_error_info()
    {
        RpcException invalid = RpcErrors.InvalidArgument("Bad.", ("amount_fen", "must be positive"));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("amount_fen", invalid.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations[0].Field);

        RpcException precondition = RpcErrors.FailedPrecondition("LOAN_CLOSED", "Closed.");
        Google.Rpc.ErrorInfo info = precondition.GetDetail<Google.Rpc.ErrorInfo>()!;
        Assert.Equal(("LOAN_CLOSED", "danbao.gov.cn"), (info.Reason, info.Domain));
        Assert.Throws<ArgumentException>(() => new RpcException(StatusCode.OK, "no"));
    }
}
