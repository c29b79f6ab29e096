using System.Text;
using Grpc.Core;
using Danbao.Server.Errors;

namespace Danbao.Server.Validation;

/// <summary>
/// Page sizes and opaque page tokens for list methods (AIP-158). A token is the keyset cursor of
/// the last item returned, base64url-encoded; it is opaque to callers and checked on the way in.
/// </summary>
public static class Paging
{
    public const int PageSizeDefault = 50;
    public const int PageSizeMax = 500;

    /// <summary>0 → the default; above the maximum → the maximum (AIP-158 coerces, it does not refuse).</summary>
    public static int PageSize(int requested)
    {
        if (requested < 0)
        {
            throw RpcErrors.InvalidArgument("page_size must not be negative", ("page_size", "must be 0 (default) or positive"));
        }
        return requested == 0 ? PageSizeDefault : Math.Min(requested, PageSizeMax);
    }

    public static string Encode(string cursor) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(cursor)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The cursor in a token; empty for the first page. A malformed token is INVALID_ARGUMENT.</summary>
    public static string Decode(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "";
        }
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var cursor = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            if (cursor.Length == 0 || cursor.Length > 200)
            {
                throw new FormatException("cursor length");
            }
            return cursor;
        }
        catch (FormatException)
        {
            throw RpcErrors.InvalidArgument("page_token is not a token this service issued",
                ("page_token", "pass back next_page_token from the previous page unchanged"));
        }
    }
}
