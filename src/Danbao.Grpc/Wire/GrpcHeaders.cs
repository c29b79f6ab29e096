namespace Danbao.Grpc;

/// <summary>Header names and values fixed by the gRPC-over-HTTP/2 specification.</summary>
internal static class GrpcHeaders
{
    public const string ContentType = "application/grpc";
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";
    public const string StatusDetails = "grpc-status-details-bin";
    public const string Timeout = "grpc-timeout";
    public const string Encoding = "grpc-encoding";
    public const string AcceptEncoding = "grpc-accept-encoding";
    public const string Gzip = "gzip";
    public const string Identity = "identity";
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>True for application/grpc and application/grpc+proto (or with parameters).</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>True when a comma-separated grpc-accept-encoding list names gzip.</summary>
    public static bool AcceptsGzip(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }
        foreach (string part in acceptEncoding.Split(','))
        {
            if (part.Trim().Equals(Gzip, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Headers the protocol owns; they are not shown to handlers as metadata.</summary>
    public static bool IsReserved(string key) =>
        key.Length == 0 || key[0] == ':' ||
        key.Equals("content-type", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("te", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("host", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("content-length", StringComparison.OrdinalIgnoreCase) ||
        key.Equals(Timeout, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(Encoding, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(AcceptEncoding, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(Status, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(Message, StringComparison.OrdinalIgnoreCase) ||
        key.Equals(StatusDetails, StringComparison.OrdinalIgnoreCase);
}
