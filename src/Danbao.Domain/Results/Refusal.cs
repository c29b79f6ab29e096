namespace Danbao.Domain.Results;

/// <summary>
/// Why the domain said no: a stable UPPER_SNAKE_CASE reason code (see <see cref="ReasonCodes"/>),
/// a human message, and the policy versions the decision read (empty when none applied).
/// </summary>
public sealed record Refusal(string Code, string Message, IReadOnlyList<PolicyVersion> Versions)
{
    public Refusal(string code, string message) : this(code, message, Array.Empty<PolicyVersion>()) { }

    /// <summary>Structured details for clients (e.g. "from"/"to" of an illegal transition); maps to gRPC ErrorInfo metadata.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Thrown where a refusal cannot be returned (accessors, constructors). Carries the refusal.</summary>
public sealed class DomainRefusalException : Exception
{
    public DomainRefusalException(Refusal refusal) : base(refusal.ToString()) => Refusal = refusal;

    public Refusal Refusal { get; }
}
