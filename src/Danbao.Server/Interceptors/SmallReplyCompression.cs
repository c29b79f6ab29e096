using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Danbao.Server.Interceptors;

/// <summary>
/// Sends small unary replies uncompressed. grpc-dotnet gzips every reply a caller accepts gzip for,
/// and starting a deflate stream (zlib zeroes its window and hash tables) cost more server CPU than
/// a one-kilobyte loan saves on the wire: about 8% of a GetLoan. Streams, large replies and a handler
/// that chose its own <see cref="ServerCallContext.WriteOptions"/> keep theirs.
/// </summary>
public sealed class SmallReplyCompression(int minBytes) : Interceptor
{
    public const int MinBytesDefault = 4096;

    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        if (context.WriteOptions is null && response is IMessage message && message.CalculateSize() < minBytes)
        {
            context.WriteOptions = Uncompressed;
        }
        return response;
    }
}
