using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>Client side of the wire: request framing, response frames, headers to metadata, status decoding.</summary>
internal static class ClientWire
{
    /// <summary>The framed request body (5-byte prefix + message, gzip when asked).</summary>
    public static byte[] FrameRequest(IMessage message, bool compress, int maxBytes)
    {
        int size = message.CalculateSize();
        if (size > maxBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Request message of {size} bytes exceeds the limit of {maxBytes} bytes.");
        }
        byte[] payload = message.ToByteArray();
        if (compress)
        {
            payload = GzipCodec.Compress(payload);
        }
        byte[] body = new byte[MessageFrames.HeaderSize + payload.Length];
        body[0] = compress ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body.AsSpan(MessageFrames.HeaderSize));
        return body;
    }

    /// <summary>Reads the next message from the response body; null at the end of the body.</summary>
    public static async Task<IMessage?> ReadMessageAsync(Stream body, MessageParser parser, int maxBytes, bool gzip, CancellationToken cancellationToken)
    {
        byte[] header = new byte[MessageFrames.HeaderSize];
        int read = await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }
        if (read < header.Length)
        {
            throw new RpcException(StatusCode.Internal, "Response ended inside a message header.");
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (header[0] > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid message frame flag {header[0]}.");
        }
        if (length > (uint)maxBytes)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message of {length} bytes exceeds the limit of {maxBytes} bytes.");
        }
        byte[] payload = new byte[length];
        read = await body.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < payload.Length)
        {
            throw new RpcException(StatusCode.Internal, "Response ended inside a message.");
        }
        if (header[0] == 1)
        {
            if (!gzip)
            {
                throw new RpcException(StatusCode.Internal, "Compressed message received without grpc-encoding.");
            }
            payload = GzipCodec.Decompress(new System.Buffers.ReadOnlySequence<byte>(payload), maxBytes);
        }
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to parse response: " + ex.Message);
        }
    }

    /// <summary>Metadata from HTTP headers, protocol headers left out.</summary>
    public static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            if (GrpcHeaders.IsReserved(header.Key) || metadata.Count >= Metadata.EntryCountMax)
            {
                continue;
            }
            bool binary = Metadata.IsBinaryKey(header.Key);
            foreach (string value in header.Value)
            {
                try
                {
                    if (!binary)
                    {
                        metadata.Add(header.Key, value);
                        continue;
                    }
                    foreach (string part in value.Split(','))
                    {
                        if (MetadataBase64.TryDecode(part, out byte[] bytes))
                        {
                            metadata.Add(header.Key, bytes);
                        }
                    }
                }
                catch (ArgumentException)
                {
                    // Not valid gRPC metadata (e.g. a proxy header with odd characters); skip it.
                }
            }
        }
        return metadata;
    }

    public static string? Single(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out HeaderStringValues values) ? values.FirstOrDefault() : null;

    /// <summary>Reads grpc-status (and message, details) from headers or trailers; null when absent.</summary>
    public static RpcException? StatusFrom(HttpHeaders headers, Metadata trailers, out bool present)
    {
        string? statusText = Single(headers, GrpcHeaders.Status);
        present = statusText is not null;
        if (statusText is null)
        {
            return null;
        }
        if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out int code) || code > 16)
        {
            return new RpcException(StatusCode.Unknown, $"Invalid grpc-status '{statusText}'.", null, trailers);
        }
        if (code == 0)
        {
            return null;
        }
        string message = StatusMessageEncoding.Decode(Single(headers, GrpcHeaders.Message));
        Google.Rpc.Status? rich = null;
        string? details = Single(headers, GrpcHeaders.StatusDetails);
        if (details is not null && MetadataBase64.TryDecode(details, out byte[] bytes))
        {
            try
            {
                rich = Google.Rpc.Status.Parser.ParseFrom(bytes);
                if (rich.Code != code)
                {
                    rich = null; // Inconsistent details are worse than none.
                }
            }
            catch (InvalidProtocolBufferException)
            {
                rich = null;
            }
        }
        return new RpcException((StatusCode)code, message, rich, trailers);
    }

    /// <summary>Status for a non-200 HTTP response, per the gRPC HTTP-to-status mapping.</summary>
    public static RpcException FromHttpStatus(HttpStatusCode status)
    {
        StatusCode code = (int)status switch
        {
            400 => StatusCode.Internal,
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.Unimplemented,
            429 or 502 or 503 or 504 => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
        return new RpcException(code, $"HTTP status {(int)status} {status}.");
    }
}
