using System.Buffers;
using System.IO.Compression;

namespace Danbao.Grpc;

/// <summary>gzip for message payloads, with a bound on the inflated size (a small body must not become gigabytes).</summary>
internal static class GzipCodec
{
    public static byte[] Compress(ReadOnlySpan<byte> payload)
    {
        using var output = new MemoryStream(payload.Length / 2 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload);
        }
        return output.ToArray();
    }

    /// <summary>Inflates; throws RESOURCE_EXHAUSTED past <paramref name="maxBytes"/> and INTERNAL on corrupt input.</summary>
    public static byte[] Decompress(ReadOnlySequence<byte> payload, int maxBytes)
    {
        using var input = new MemoryStream(payload.ToArray(), writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read = gzip.Read(chunk, 0, chunk.Length);
                if (read == 0)
                {
                    break;
                }
                if (output.Length + read > maxBytes)
                {
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Decompressed message larger than {maxBytes} bytes.");
                }
                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            throw new RpcException(StatusCode.Internal, "Corrupt gzip message.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return output.ToArray();
    }
}
