
namespace Danbao.Domain;

/// <summary>
/// Why the domain said no: a stable UPPER_SNAKE_CASE reason code (see <see cref="ReasonCodes"/>),
/// a human message, and the policy versions the decision read (empty when none applied).
/// </summary>
public sealed record Refusal(string Code, string Message, IReadOnlyList<PolicyVersion> Versions)
{
    public Refusal(string code, string message) : this(code, message, Array.Empty<PolicyVersion>()) { }

    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Thrown where a refusal cannot be returned (accessors, constructors). Carries the refusal.</summary>
public sealed class DomainRefusalException : Exception
{
    public DomainRefusalException(Refusal refusal) : base(refusal.ToString()) => Refusal = refusal;

    public Refusal Refusal { get; }
}
