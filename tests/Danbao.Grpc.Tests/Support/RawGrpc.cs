using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace Danbao.Grpc.Tests.Support;

/// <summary>Hand-made HTTP/2 (h2c, prior knowledge) requests, for what a well-behaved gRPC client would never send.</summary>
public static class RawGrpc
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    public sealed record Reply(HttpStatusCode HttpStatus, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body, HttpResponseHeaders Trailers)
    {
        /// <summary>grpc-status from trailers, or from headers for trailers-only responses.</summary>
        public string? GrpcStatus => Value(Trailers, "grpc-status") ?? Value(Headers, "grpc-status");

        public string? GrpcMessage => Value(Trailers, "grpc-message") ?? Value(Headers, "grpc-message");

        public bool TrailersOnly => Value(Headers, "grpc-status") is not null;

        public static string? Value(HttpHeaders headers, string name) =>
            headers.NonValidated.TryGetValues(name, out HeaderStringValues v) ? v.FirstOrDefault() : null;
    }

    /// <summary>A length-prefixed message: flag byte, 4-byte big-endian length (or a lie), payload.</summary>
    public static byte[] Frame(byte flag, byte[] payload, uint? declaredLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static async Task<Reply> PostAsync(int port, string path, byte[] body, string contentType = "application/grpc",
        HttpMethod? method = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, $"http://127.0.0.1:{port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (method is null || method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await Http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Reply(response.StatusCode, response.Headers, response.Content.Headers, bytes, response.TrailingHeaders);
    }
}
