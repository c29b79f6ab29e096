using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>
/// The gRPC length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length, payload.
/// Shared by server and client.
/// </summary>
internal static class MessageFrames
{
    public const int HeaderSize = 5;

    /// <summary>Writes one message; compresses it when <paramref name="compress"/> is set.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, bool compress, int maxBytes)
    {
        int size = message.CalculateSize();
        if (size > maxBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Response message of {size} bytes exceeds the limit of {maxBytes} bytes.");
        }
        if (compress)
        {
            byte[] compressed = GzipCodec.Compress(message.ToByteArray());
            Span<byte> header = writer.GetSpan(HeaderSize);
            header[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(header.Slice(1), (uint)compressed.Length);
            writer.Advance(HeaderSize);
            writer.Write(compressed);
            return;
        }
        if (size <= 16 * 1024)
        {
            // Small messages (the common case) go in one contiguous span: no second GetSpan.
            Span<byte> span = writer.GetSpan(HeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)size);
            message.WriteTo(span.Slice(HeaderSize, size));
            writer.Advance(HeaderSize + size);
            return;
        }
        Span<byte> prefix = writer.GetSpan(HeaderSize);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.Slice(1), (uint)size);
        writer.Advance(HeaderSize);
        message.WriteTo(writer);
    }

    /// <summary>
    /// Reads the next message from <paramref name="reader"/> and parses it; null at a clean end
    /// of stream. Throws <see cref="RpcException"/> for oversized, truncated, mis-flagged or
    /// unparseable frames.
    /// </summary>
    public static async ValueTask<(T? Message, bool Compressed)> ReadAsync<T>(PipeReader reader, MessageParser parser, int maxBytes,
        bool compressedAllowed, CancellationToken cancellationToken) where T : class, IMessage
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool parsed;
            IMessage? message;
            bool compressed;
            try
            {
                parsed = TryParseFrame(ref buffer, parser, maxBytes, compressedAllowed, out message, out compressed);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.End);
                throw;
            }
            if (parsed)
            {
                reader.AdvanceTo(buffer.Start);
                return ((T)message!, compressed);
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                bool empty = buffer.IsEmpty;
                reader.AdvanceTo(buffer.End);
                if (empty && result.IsCompleted)
                {
                    return (null, false);
                }
                throw new RpcException(StatusCode.Internal, "Request stream ended inside a message frame.");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Parses a frame from the start of <paramref name="buffer"/> if it is complete, and slices past it.</summary>
    public static bool TryParseFrame(ref ReadOnlySequence<byte> buffer, MessageParser parser, int maxBytes,
        bool compressedAllowed, out IMessage? message, out bool compressed)
    {
        message = null;
        compressed = false;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        byte flag = header[0];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1));
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid message frame flag {flag}.");
        }
        if (length > (uint)maxBytes)
        {
            // Refuse before buffering: the limit protects memory, so don't wait for the payload.
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message of {length} bytes exceeds the limit of {maxBytes} bytes.");
        }
        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }
        ReadOnlySequence<byte> payload = buffer.Slice(HeaderSize, length);
        compressed = flag == 1;
        if (compressed)
        {
            if (!compressedAllowed)
            {
                throw new RpcException(StatusCode.Internal, "Compressed message received without a grpc-encoding.");
            }
            payload = new ReadOnlySequence<byte>(GzipCodec.Decompress(payload, maxBytes));
        }
        try
        {
            message = parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to parse message: " + ex.Message);
        }
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }
}
