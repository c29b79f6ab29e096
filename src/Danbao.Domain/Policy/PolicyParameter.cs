namespace Danbao.Domain.Policy;

/// <summary>
/// A parameter the policy sets (policy.md: every number is a parameter, versioned by region and
/// effective date). <see cref="AllowedValues"/> lists the legal values of an Enum parameter.
/// </summary>
public sealed record PolicyParameter(string Key, PolicyValueKind Kind, string Meaning, IReadOnlyList<string> AllowedValues)
{
    public PolicyParameter(string key, PolicyValueKind kind, string meaning) : this(key, kind, meaning, Array.Empty<string>()) { }

    /// <summary>Parses text for this parameter, also checking enum membership.</summary>
    public PolicyValue Parse(string text)
    {
        var value = PolicyValue.Parse(Kind, text);
        if (Kind == PolicyValueKind.Enum && !AllowedValues.Contains(value.AsEnum))
            throw new FormatException($"'{text}' is not one of {string.Join("|", AllowedValues)} for {Key}");
        return value;
    }
}
