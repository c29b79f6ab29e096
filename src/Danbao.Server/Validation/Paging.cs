using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Danbao.Server.Errors;

namespace Danbao.Server.Validation;

/// <summary>
/// Page sizes and opaque page tokens for list methods (AIP-158). A token is the keyset cursor of
/// the last item returned followed by an HMAC-SHA256 tag (16 bytes) under a server key, base64url-encoded:
/// a token the service did not issue, or one changed by a single bit, is INVALID_ARGUMENT before its
/// cursor is read (issue 14: tampered tokens held impossible timestamps and answered INTERNAL).
/// The key is derived from the PII master key (<see cref="UseKey"/>), which every instance on one
/// database shares, so a token from one instance is good on another.
/// </summary>
public static class Paging
{
    public const int PageSizeDefault = 50;
    public const int PageSizeMax = 500;
    private const int TagBytes = 16;
    private const int CursorLengthMax = 200;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] FallbackKey = RandomNumberGenerator.GetBytes(32);
    private static readonly object Gate = new();
    private static byte[][] _keys = [];

    /// <summary>
    /// Registers a host's token key. Tokens are signed with the first key registered in the process
    /// and accepted under any registered one (a process runs one host; tests run several).
    /// </summary>
    public static void UseKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (Gate)
        {
            if (!_keys.Any(k => k.AsSpan().SequenceEqual(key)))
            {
                _keys = [.. _keys, key];
            }
        }
    }

    /// <summary>0 → the default; above the maximum → the maximum (AIP-158 coerces, it does not refuse).</summary>
    public static int PageSize(int requested)
    {
        if (requested < 0)
        {
            throw RpcErrors.InvalidArgument("page_size must not be negative", ("page_size", "must be 0 (default) or positive"));
        }
        return requested == 0 ? PageSizeDefault : Math.Min(requested, PageSizeMax);
    }

    public static string Encode(string cursor)
    {
        var body = Encoding.UTF8.GetBytes(cursor);
        var token = new byte[body.Length + TagBytes];
        body.CopyTo(token, 0);
        Tag(SigningKey(), body).CopyTo(token.AsSpan(body.Length));
        return Convert.ToBase64String(token).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The cursor in a token; empty for the first page. A malformed or tampered token is INVALID_ARGUMENT.</summary>
    public static string Decode(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "";
        }
        try
        {
            if (token.Length > 4 * (CursorLengthMax * 4 + TagBytes))
            {
                throw new FormatException("token length");
            }
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var bytes = Convert.FromBase64String(base64);
            // Only the canonical spelling: base64 ignores the low bits of a last character, so a
            // changed last character could otherwise decode to the same token.
            if (bytes.Length <= TagBytes || Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') != token)
            {
                throw new FormatException("token length");
            }
            var body = bytes.AsSpan(0, bytes.Length - TagBytes);
            var tag = bytes.AsSpan(bytes.Length - TagBytes);
            var keys = Volatile.Read(ref _keys);
            var signed = false;
            foreach (var key in keys.Length > 0 ? keys : [FallbackKey])
            {
                signed |= CryptographicOperations.FixedTimeEquals(Tag(key, body), tag);
            }
            if (!signed)
            {
                throw new FormatException("tag");
            }
            var cursor = StrictUtf8.GetString(body);
            if (cursor.Length == 0 || cursor.Length > CursorLengthMax)
            {
                throw new FormatException("cursor length");
            }
            return cursor;
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or ArgumentException)
        {
            throw RpcErrors.InvalidArgument("page_token is not a token this service issued",
                ("page_token", "pass back next_page_token from the previous page unchanged"));
        }
    }

    private static byte[] SigningKey()
    {
        var keys = Volatile.Read(ref _keys);
        return keys.Length > 0 ? keys[0] : FallbackKey;
    }

    private static byte[] Tag(byte[] key, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, body, mac);
        return mac[..TagBytes].ToArray();
    }
}
