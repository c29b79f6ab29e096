using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Danbao.Proof.Tests.Support;

/// <summary>
/// Our own gRPC fuzzer: raw HTTP/2 requests (h2c) built by hand, so nothing in a gRPC client
/// library can tidy the bytes up. Each case is one malformed or absurd call; the answer is
/// classified by its grpc-status (from headers for trailers-only replies, else trailers).
/// </summary>
public sealed class Fuzzer : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http;
    // Kestrel answers a header value with bytes outside ASCII with a connection error (GOAWAY
    // PROTOCOL_ERROR), which aborts every stream on that connection: those cases get their own.
    private readonly HttpClient _quarantine;
    private readonly Uri _address;
    private readonly string[] _keys;
    private readonly MethodDescriptor[] _methods;

    public Fuzzer(Uri address, IEnumerable<string> validKeys)
    {
        _address = address;
        _keys = validKeys.ToArray();
        _methods = DanbaoMethods().ToArray();
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            // Header values go out as Latin-1, so chars 0x80–0xFF become bytes that are invalid UTF-8.
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _quarantine = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public IReadOnlyList<MethodDescriptor> Methods => _methods;

    /// <summary>Answer class → count (e.g. "InvalidArgument", "http415", "reset", "timeout").</summary>
    public ConcurrentDictionary<string, int> Histogram { get; } = new();

    /// <summary>Case kind → answer class → count.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, int>> ByCase { get; } = new();

    /// <summary>Write methods that answered OK (a refused-only phase must have none).</summary>
    public ConcurrentBag<string> AcceptedWrites { get; } = [];

    public ConcurrentBag<string> Improper { get; } = [];

    public int Calls;

    /// <summary>Every unary rpc of every danbao.v1 service compiled into Danbao.Contracts.</summary>
    public static IEnumerable<MethodDescriptor> DanbaoMethods() =>
        typeof(Danbao.Contracts.V1.Loan).Assembly.GetTypes()
            .Where(t => t.Namespace == "Danbao.Contracts.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(f => f.Services)
            .SelectMany(s => s.Methods)
            .Where(m => !m.IsClientStreaming && !m.IsServerStreaming)
            .DistinctBy(m => m.FullName)
            .OrderBy(m => m.FullName, StringComparer.Ordinal);

    public static bool IsWrite(MethodDescriptor m) => m.InputType.FindFieldByName("request_id") is not null;

    /// <summary>Sends <paramref name="count"/> cases from <paramref name="concurrency"/> workers.</summary>
    public async Task<TimeSpan> RunAsync(int count, int concurrency, bool malformedOnly, int seed)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + w);
            while (Interlocked.Increment(ref next) < count)
            {
                await OneAsync(random, malformedOnly);
            }
        })));
        return watch.Elapsed;
    }

    private async Task OneAsync(Random random, bool malformedOnly)
    {
        var method = _methods[random.Next(_methods.Length)];
        var (kind, request) = Build(random, method, malformedOnly);
        string answer;
        using var cts = new CancellationTokenSource(CallTimeout);
        try
        {
            using var response = await (kind == "metadata-utf8" ? _quarantine : _http).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var status = First(response.Headers, "grpc-status");
            if (status is null)
            {
                await response.Content.ReadAsByteArrayAsync(cts.Token);
                status = First(response.TrailingHeaders, "grpc-status");
            }
            answer = status is null
                ? $"http{(int)response.StatusCode}"
                : int.TryParse(status, out var code) && code is >= 0 and <= 16 ? ((global::Grpc.Core.StatusCode)code).ToString() : "bad-status:" + status;
            // Not gRPC at all, so plain HTTP answers are proper: a wrong content type (415), and a path
            // that is not /{service}/{method} (404; grpc-dotnet answers UNIMPLEMENTED for unknown
            // methods and services of that form).
            var notGrpc = (kind == "content-type" && response.StatusCode == HttpStatusCode.UnsupportedMediaType)
                || (kind == "unknown-method" && response.StatusCode == HttpStatusCode.NotFound && request.RequestUri!.AbsolutePath.Count(c => c == '/') == 1);
            if (status is null && !notGrpc)
            {
                Improper.Add($"{kind} {method.FullName}: HTTP {(int)response.StatusCode} without grpc-status");
            }
            if (answer == "OK" && IsWrite(method) && request.RequestUri!.AbsolutePath == "/" + method.Service.FullName + "/" + method.Name)
            {
                AcceptedWrites.Add($"{kind} {method.FullName}");
            }
        }
        catch (OperationCanceledException)
        {
            answer = "timeout";
            Improper.Add($"{kind} {method.FullName}: no answer within {CallTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            // A stream reset is how HTTP/2 refuses a request it cannot parse (gRPC clients map it to INTERNAL/UNAVAILABLE).
            // gRPC maps RST_STREAM codes to statuses (http-grpc-status-mapping.md): ENHANCE_YOUR_CALM is
            // RESOURCE_EXHAUSTED (Kestrel's guard against too many streams in flight), the rest INTERNAL.
            answer = ex.InnerException is HttpProtocolException p
                ? p.ErrorCode switch { 0xb => "ResourceExhausted(reset)", 0x7 => "Unavailable(reset)", 0x8 => "Cancelled(reset)", _ => $"Internal(reset {p.ErrorCode})" }
                : "connection-error";
            if (answer == "connection-error" && kind != "metadata-utf8")
            {
                Improper.Add($"{kind} {method.FullName}: {ex.GetType().Name} {ex.Message} {ex.InnerException?.Message}");
            }
        }
        finally
        {
            request.Dispose();
        }
        Interlocked.Increment(ref Calls);
        Histogram.AddOrUpdate(answer, 1, (_, n) => n + 1);
        ByCase.GetOrAdd(kind, _ => new()).AddOrUpdate(answer, 1, (_, n) => n + 1);
    }

    private static string? First(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static readonly string[] Cases =
    [
        "random-body", "truncated-frame", "short-length", "long-length", "oversize-prefix", "bad-gzip", "compressed-no-encoding",
        "unknown-encoding", "utf8-string-field", "unknown-fields", "garbage-message", "absurd-values", "metadata-utf8",
        "bad-key", "no-credentials", "bad-timeout", "content-type", "unknown-method", "two-messages", "empty-body",
        // Issue 14: inputs that must be refused at the edge, never stored nor answered INTERNAL.
        "hostile-text", "tampered-page-token", "overflow-amounts", "unknown-enum", "repeated-authorization",
    ];

    /// <summary>Kinds whose calls must never succeed, whatever the method.</summary>
    public static readonly string[] RefusedKinds = ["tampered-page-token", "repeated-authorization"];

    /// <summary>Text the edge refuses: NUL, ANSI escapes, bidi overrides, lone surrogates (sent as U+FFFD), nothing visible.</summary>
    private static readonly string[] HostileStrings =
    [
        "a\0b", "\u001b[2J\u001b[31mred", "abc\u202Efdp.exe", "\uD800x", "\u200B\u200C\u200D", "\u3164", "x\u0007y", "\u009B31m",
    ];

    private (string Kind, HttpRequestMessage Request) Build(Random random, MethodDescriptor method, bool malformedOnly)
    {
        string kind;
        do
        {
            kind = Cases[random.Next(Cases.Length)];
        }
        while (malformedOnly && kind is "absurd-values" or "empty-body");
        var path = "/" + method.Service.FullName + "/" + method.Name;
        var valid = Valid(random, method, refusable: malformedOnly);
        var contentType = "application/grpc";
        byte[] body;
        var headers = new List<(string, string)> { ("authorization", "Bearer " + _keys[random.Next(_keys.Length)]) };
        switch (kind)
        {
            case "random-body":
                body = RandomBytes(random, random.Next(0, 300));
                break;
            case "truncated-frame":
                var framed = Frame(valid.Length > 0 ? valid : RandomBytes(random, 20));
                body = framed[..random.Next(1, framed.Length)];
                break;
            case "short-length":
                body = Frame(Concat(valid, RandomBytes(random, 10)), declared: Math.Max(0, valid.Length - random.Next(1, 5)));
                break;
            case "long-length":
                body = Frame(valid, declared: valid.Length + random.Next(1, 1000));
                break;
            case "oversize-prefix":
                body = Frame(RandomBytes(random, 16), declared: random.Next(2) == 0 ? int.MaxValue : 4 * 1024 * 1024 + random.Next(1, 100_000));
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), uint.MaxValue);
                }
                break;
            case "bad-gzip":
                headers.Add(("grpc-encoding", "gzip"));
                body = random.Next(2) == 0 ? Frame(RandomBytes(random, 40), compressed: true) : Frame(Gzip(valid)[..^random.Next(1, 8)], compressed: true);
                break;
            case "compressed-no-encoding":
                body = Frame(Gzip(valid), compressed: true);
                break;
            case "unknown-encoding":
                headers.Add(("grpc-encoding", random.Next(2) == 0 ? "br" : "x-nonsense"));
                body = Frame(valid, compressed: true);
                break;
            case "utf8-string-field":
                body = Frame(InvalidUtf8Strings(random, method.InputType));
                break;
            case "unknown-fields":
                body = Frame(Concat(valid, UnknownFields(random)));
                break;
            case "garbage-message":
                body = Frame(RandomBytes(random, random.Next(1, 200)));
                break;
            case "absurd-values":
                body = Frame(Absurd(random, method.InputType, 0, refusable: false).ToByteArray());
                break;
            case "metadata-utf8":
                headers.Add(("x-fuzz", "\u00ff\u00fe\u00c3\u0028" + random.Next()));
                if (random.Next(2) == 0)
                {
                    headers[0] = ("authorization", "Bearer dbk_\u00ff\u00c3\u0028" + random.Next());
                }
                body = Frame(valid);
                break;
            case "bad-key":
                headers[0] = ("authorization", random.Next(3) switch
                {
                    0 => "Bearer dbk_" + Convert.ToHexString(RandomBytes(random, 20)),
                    1 => "Basic " + Convert.ToBase64String(RandomBytes(random, 12)),
                    _ => "Bearer " + new string('a', random.Next(0, 9000)),
                });
                body = Frame(valid);
                break;
            case "no-credentials":
                headers.Clear();
                body = Frame(valid);
                break;
            case "bad-timeout":
                headers.Add(("grpc-timeout", random.Next(4) switch { 0 => "abc", 1 => "999999999999H", 2 => "-5S", _ => "1n" }));
                body = Frame(valid);
                break;
            case "content-type":
                contentType = random.Next(3) switch { 0 => "application/json", 1 => "text/plain", _ => "application/grpc-web" };
                body = Frame(valid);
                break;
            case "unknown-method":
                path = random.Next(3) switch
                {
                    0 => "/" + method.Service.FullName + "/NoSuchMethod",
                    1 => "/danbao.v1.NoSuchService/" + method.Name,
                    _ => "/" + Convert.ToHexString(RandomBytes(random, 6)),
                };
                body = Frame(valid);
                break;
            case "two-messages":
                body = Concat(Frame(valid), Frame(valid));
                break;
            case "hostile-text":
                body = Frame(Hostile(random, method.InputType, 0, HostileKind.Text, refusable: malformedOnly).ToByteArray());
                break;
            case "overflow-amounts":
                body = Frame(Hostile(random, method.InputType, 0, HostileKind.Overflow, refusable: malformedOnly).ToByteArray());
                break;
            case "unknown-enum":
                body = Frame(Hostile(random, method.InputType, 0, HostileKind.Enum, refusable: malformedOnly).ToByteArray());
                break;
            case "tampered-page-token":
                var lists = _methods.Where(m => m.InputType.FindFieldByName("page_token") is not null).ToArray();
                var list = lists[random.Next(lists.Length)];
                path = "/" + list.Service.FullName + "/" + list.Name;
                var listRequest = (IMessage)Activator.CreateInstance(list.InputType.ClrType)!;
                list.InputType.FindFieldByName("page_token").Accessor.SetValue(listRequest, random.Next(3) switch
                {
                    // An unsigned cursor as tokens were before signing, an impossible timestamp, random bytes.
                    0 => Convert.ToBase64String(Encoding.UTF8.GetBytes("CN:INDIVIDUAL_LOAN_CAP:2023-10-01")).TrimEnd('='),
                    1 => Convert.ToBase64String(Encoding.UTF8.GetBytes("9223372036854775807|L0000000000000001")).TrimEnd('='),
                    _ => Convert.ToBase64String(RandomBytes(random, random.Next(17, 80))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                });
                body = Frame(listRequest.ToByteArray());
                break;
            case "repeated-authorization":
                headers.Add(("authorization", "Bearer " + _keys[random.Next(_keys.Length)]));
                body = Frame(valid);
                break;
            default: // empty-body: no message at all
                body = [];
                break;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("content-type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return (kind, request);
    }

    /// <summary>A well-formed request that would still be refused: fields hold out-of-range or meaningless values.</summary>
    /// <param name="refusable">Never a usable request_id, so even a write that parses is refused.</param>
    private static byte[] Valid(Random random, MethodDescriptor method, bool refusable) => Absurd(random, method.InputType, 0, refusable).ToByteArray();

    private static readonly string[] AbsurdStrings =
    [
        "", "9999-99-99", "2025-02-30", "0000-01-01", "99999-01-01", "-1", "loans/../../etc/passwd", "loans/", "loans/L" + new string('Z', 40),
        "institutions/", "institutions/no-such", "’; drop table loans; --", "\u0000\u0001", "😀😀", "\uFFFD", new string('x', 5000),
        "1e309", "NaN", "2025-06-01T00:00:00Z", "CN-XX-??", "keys/nope",
    ];

    private static IMessage Absurd(Random random, MessageDescriptor type, int depth, bool refusable)
    {
        var message = (IMessage)Activator.CreateInstance(type.ClrType)!;
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            if (field.IsMap || random.Next(5) == 0)
            {
                continue;
            }
            try
            {
                object? value = field.FieldType switch
                {
                    FieldType.String => field.Name == "request_id" && (refusable || random.Next(2) == 0) ? (refusable ? "?" : Guid.NewGuid().ToString("N")) : AbsurdStrings[random.Next(AbsurdStrings.Length)],
                    FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => new[] { -1L, long.MinValue, long.MaxValue, 0L, -100L, 1L << 53 }[random.Next(6)],
                    FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => new[] { -1, int.MinValue, int.MaxValue, 0, 100_000_000, 501 }[random.Next(6)],
                    FieldType.UInt32 or FieldType.Fixed32 => new[] { uint.MaxValue, 0u }[random.Next(2)],
                    FieldType.UInt64 or FieldType.Fixed64 => new[] { ulong.MaxValue, 0ul }[random.Next(2)],
                    FieldType.Bool => random.Next(2) == 0,
                    FieldType.Double => new[] { double.NaN, double.PositiveInfinity, -1e308 }[random.Next(3)],
                    FieldType.Float => new[] { float.NaN, float.NegativeInfinity }[random.Next(2)],
                    FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random, random.Next(0, 64))),
                    FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, new[] { 0, 99, -5, int.MaxValue, 1 }[random.Next(5)]),
                    FieldType.Message when depth < 3 => Absurd(random, field.MessageType, depth + 1, refusable),
                    _ => null,
                };
                if (value is null)
                {
                    continue;
                }
                if (field.IsRepeated)
                {
                    var list = (System.Collections.IList)field.Accessor.GetValue(message);
                    for (var i = random.Next(1, 4); i > 0; i--)
                    {
                        list.Add(value);
                    }
                }
                else
                {
                    field.Accessor.SetValue(message, value);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or InvalidOperationException)
            {
                // A field the accessor will not take this value for: leave it unset.
            }
        }
        return message;
    }

    private enum HostileKind
    {
        Text,
        Overflow,
        Enum,
    }

    /// <summary>
    /// A request whose every string (Text), int64 (Overflow: int64-max amounts, so that sums overflow)
    /// or enum (Enum: values no proto declares) field is hostile, repeated fields several times; the
    /// other fields are left unset. A write carries a fresh request_id unless <paramref name="refusable"/>.
    /// </summary>
    private static IMessage Hostile(Random random, MessageDescriptor type, int depth, HostileKind kind, bool refusable)
    {
        var message = (IMessage)Activator.CreateInstance(type.ClrType)!;
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            if (field.IsMap)
            {
                continue;
            }
            try
            {
                object? value = field.FieldType switch
                {
                    FieldType.String when field.Name == "request_id" => refusable ? "?" : Guid.NewGuid().ToString("N"),
                    FieldType.String when kind == HostileKind.Text => HostileStrings[random.Next(HostileStrings.Length)],
                    FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 when kind == HostileKind.Overflow => long.MaxValue,
                    FieldType.Enum when kind == HostileKind.Enum => Enum.ToObject(field.EnumType.ClrType, new[] { 99, -5, int.MaxValue }[random.Next(3)]),
                    FieldType.Message when depth < 3 => Hostile(random, field.MessageType, depth + 1, kind, refusable),
                    _ => null,
                };
                if (value is null)
                {
                    continue;
                }
                if (field.IsRepeated)
                {
                    var list = (System.Collections.IList)field.Accessor.GetValue(message);
                    for (var i = random.Next(2, 5); i > 0; i--)
                    {
                        list.Add(value is IMessage m ? Hostile(random, field.MessageType, depth + 1, kind, refusable) : value);
                    }
                }
                else
                {
                    field.Accessor.SetValue(message, value);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or InvalidOperationException)
            {
                // A field the accessor will not take this value for: leave it unset.
            }
        }
        return message;
    }

    /// <summary>The request's string fields (and one unknown field number) carrying bytes that are not UTF-8.</summary>
    private static byte[] InvalidUtf8Strings(Random random, MessageDescriptor type)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        var strings = type.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.String).ToList();
        var numbers = strings.Count > 0 ? strings.Select(f => f.FieldNumber) : [1];
        foreach (var number in numbers)
        {
            output.WriteTag(WireFormat.MakeTag(number, WireFormat.WireType.LengthDelimited));
            output.WriteBytes(ByteString.CopyFrom(new byte[][] { [0xC3, 0x28], [0xFF, 0xFE, 0xFD], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82] }[random.Next(5)]));
        }
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] UnknownFields(Random random)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(WireFormat.MakeTag(random.Next(1000, 536_870_911), WireFormat.WireType.Varint));
        output.WriteUInt64((ulong)random.NextInt64());
        output.WriteTag(WireFormat.MakeTag(random.Next(1000, 5000), WireFormat.WireType.LengthDelimited));
        output.WriteBytes(ByteString.CopyFrom(RandomBytes(random, random.Next(0, 100))));
        if (random.Next(4) == 0)
        {
            // A group start with no end, an invalid wire type 7: malformed, not merely unknown.
            output.WriteRawTag((byte)((random.Next(1000, 2000) << 3 | (random.Next(2) == 0 ? 3 : 7)) & 0x7F | 0x80), 0x10);
        }
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Frame(byte[] message, int? declared = null, bool compressed = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declared ?? message.Length));
        message.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        var bytes = stream.ToArray();
        return bytes.Length > 8 ? bytes : [.. bytes, 0, 0, 0, 0, 0, 0, 0, 0];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    public void Dispose()
    {
        _http.Dispose();
        _quarantine.Dispose();
    }
}
