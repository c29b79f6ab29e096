using System.Globalization;
using Danbao.Server.Errors;

namespace Danbao.Server.Resources;

/// <summary>When a state change must carry the etag of the resource as the caller read it.</summary>
public enum EtagUse
{
    /// <summary>A decision taken on what the caller read (the loan lifecycle): an empty etag is INVALID_ARGUMENT.</summary>
    Required,

    /// <summary>
    /// A step whose outcome the server derives from the current state under the row lock, whatever
    /// the caller saw (repayments, compensation and subsidy claim steps): an empty etag applies it to
    /// the current state; a given one must still be current.
    /// </summary>
    IfGiven,
}

/// <summary>
/// The one etag rule (docs/security.md): an etag is the resource's version as a decimal string; a
/// given etag that is not the current one is ABORTED ETAG_MISMATCH with the current etag in the
/// metadata, for every resource alike; whether an empty one is allowed is the step's <see cref="EtagUse"/>.
/// </summary>
public static class Etags
{
    public static string Of(int version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>Throws unless <paramref name="etag"/> may act on <paramref name="name"/> at <paramref name="version"/>.</summary>
    public static void Check(string name, int version, string etag, EtagUse use)
    {
        if (etag.Length == 0)
        {
            if (use == EtagUse.Required)
            {
                throw RpcErrors.InvalidArgument("etag is required: pass the etag of the resource as you last read it",
                    ("etag", "required for this state change (optimistic concurrency)"));
            }
            return;
        }
        var current = Of(version);
        if (etag != current)
        {
            throw RpcErrors.Aborted("ETAG_MISMATCH",
                $"{name} changed since you read it (your etag {etag}, now {current}); read it again and retry",
                new Dictionary<string, string> { ["current_etag"] = current });
        }
    }
}
