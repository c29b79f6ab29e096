namespace Danbao.Grpc;

/// <summary>Canonical upper-snake names of status codes (as grpc-go and Prometheus exporters print them).</summary>
public static class StatusCodeNames
{
    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>E.g. DEADLINE_EXCEEDED for <see cref="StatusCode.DeadlineExceeded"/>.</summary>
    public static string Of(StatusCode code) => (int)code is >= 0 and < 17 ? Names[(int)code] : "UNKNOWN";
}
