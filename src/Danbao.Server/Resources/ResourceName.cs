using Danbao.Server.Errors;
using Danbao.Server.Validation;
using Grpc.Core;

namespace Danbao.Server.Resources;

/// <summary>
/// One kind of resource name, "{collection}/{id}" (Google AIP-122): how it is formatted, parsed and,
/// when malformed, refused. Every kind refuses the same way: INVALID_ARGUMENT naming the field, with
/// the expected shape as its violation. The kinds are listed in <see cref="ResourceNames"/>.
/// </summary>
/// <param name="Collection">The name's first segment, e.g. "loans".</param>
/// <param name="Type">The proto message it names (NOT_FOUND's ResourceInfo.resource_type).</param>
/// <param name="Noun">What a person calls it, for messages ("loan", "subsidy claim").</param>
/// <param name="Example">A well-formed name, for messages.</param>
public sealed record ResourceName(string Collection, string Type, string Noun, string Example, int IdLengthMin, int IdLengthMax)
{
    public string Prefix { get; } = Collection + "/";

    public string Format(string id) => Prefix + id;

    /// <summary>The id in <paramref name="name"/> when it is a well-formed name of this kind.</summary>
    public bool TryParse(string name, out string id)
    {
        var ok = name.StartsWith(Prefix, StringComparison.Ordinal)
            && name.Length - Prefix.Length is var length && length >= IdLengthMin && length <= IdLengthMax;
        id = ok ? name[Prefix.Length..] : "";
        return ok;
    }

    /// <summary>The id in <paramref name="name"/>; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public string Parse(string name, string field = "name") =>
        TryParse(name, out var id) ? id : throw Malformed(field);

    /// <summary>The id in <paramref name="name"/>, or "" with a violation added to <paramref name="errors"/>.</summary>
    public string Parse(FieldErrors errors, string field, string name)
    {
        if (TryParse(name, out var id))
        {
            return id;
        }
        errors.Add(field, Shape);
        return "";
    }

    /// <summary>The violation a malformed name gets: the name's shape and an example.</summary>
    public string Shape => $"{Article} {Noun} name, {Collection}/{{id}}, like {Example}";

    private string Article => "aeiouAEIOU".Contains(Noun[0], StringComparison.Ordinal) ? "an" : "a";

    public RpcException Malformed(string field) =>
        RpcErrors.InvalidArgument($"{field} must be {Article} {Noun} name like {Example}", (field, Shape));

    /// <summary>NOT_FOUND for a name that does not exist or that the caller may not see: the two are not told apart.</summary>
    public RpcException NotFound(string name, string callerInstitutionId) =>
        RpcErrors.NotFound(Type, name, $"{name} does not exist or is not visible to {callerInstitutionId}");
}
