using System.Reflection;
using Danbao.Data.Identity;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Danbao.Server.Interceptors;

/// <summary>
/// Authenticates every call (mTLS client certificate, else an API key in `authorization`) and
/// authorises it against the roles its service method declares with <see cref="RolesAttribute"/>
/// (grpc-dotnet puts a service method's attributes into its endpoint metadata). The standard
/// services (health, reflection) and the interop test service stay open.
/// </summary>
/// <remarks>
/// A failed authentication costs as little as possible and cannot starve the service (issue 14):
/// a malformed key or a key already known to fail is refused from memory; a peer that has failed
/// too often (<see cref="AuthFailureLimiter"/>) is answered RESOURCE_EXHAUSTED with RetryInfo before
/// any database look-up, so no unauthenticated flood takes the pooled connections that callers need.
/// </remarks>
public sealed class AuthInterceptor(CredentialResolver credentials, AuthFailureLimiter failures) : CallInterceptor
{
    private static readonly string[] OpenServicePrefixes = ["/grpc.health.v1.", "/grpc.reflection.", "/grpc.testing."];

    protected override async Task AroundAsync(ServerCallContext context, Func<Task> call)
    {
        if (IsOpen(context.Method))
        {
            await call();
            return;
        }
        var caller = await AuthenticateAsync(context);
        var roles = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<RolesAttribute>()?.Roles ?? [];
        if (!roles.Contains(caller.Role))
        {
            throw RpcErrors.PermissionDenied("ROLE_NOT_ALLOWED",
                $"{context.Method} is not open to the {Caller.StoredRole(caller.Role)} role",
                new Dictionary<string, string>
                {
                    ["role"] = Caller.StoredRole(caller.Role),
                    ["allowed_roles"] = string.Join(",", roles.Select(Caller.StoredRole)),
                });
        }
        context.UserState[typeof(Caller)] = caller;
        await call();
    }

    /// <summary>The roles a service method declares; a Danbao method without any is a start-up error (<see cref="CheckDeclared"/>).</summary>
    public static IReadOnlyList<Contracts.V1.Role> RolesOf(MethodInfo? handler) =>
        handler?.GetCustomAttribute<RolesAttribute>()?.Roles ?? [];

    /// <summary>Fails start-up when a method of a Danbao service declares no roles.</summary>
    public static void CheckDeclared(Type serviceType, Google.Protobuf.Reflection.ServiceDescriptor service)
    {
        var missing = service.Methods
            .Where(m => serviceType.GetMethod(m.Name)?.GetCustomAttribute<RolesAttribute>() is null)
            .Select(m => $"{service.FullName}/{m.Name}")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("service methods without [Roles]: " + string.Join(", ", missing));
        }
    }

    private static bool IsOpen(string method) => OpenServicePrefixes.Any(p => method.StartsWith(p, StringComparison.Ordinal));

    private async Task<Caller> AuthenticateAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var peer = http.Connection.RemoteIpAddress?.ToString() ?? context.Peer;
        if (http.Connection.ClientCertificate is { } certificate)
        {
            BeforeLookUp(peer);
            var owner = await credentials.ResolveCertificateAsync(certificate.RawData, context.CancellationToken)
                ?? throw Failed(peer, "CERTIFICATE_NOT_REGISTERED",
                    "the client certificate is not bound to an institution (or its binding was revoked)");
            return new Caller(owner.InstitutionId, Caller.ParseRole(owner.Role), owner.RegionCode, owner.KeyId, "mtls");
        }
        var headers = http.Request.Headers.Authorization;
        var header = headers.ToString();
        // A gateway that reads the first header and a server that reads the last would disagree on who
        // calls. Repeated fields may also arrive folded into one value, "Bearer a, Bearer b" (RFC 9110
        // §5.3; .NET's HttpClient sends them so): a key never holds a comma.
        if (headers.Count > 1 || header.Contains(',', StringComparison.Ordinal))
        {
            throw Failed(peer, "AUTHORIZATION_REPEATED", "send exactly one authorization header");
        }
        if (string.IsNullOrEmpty(header))
        {
            throw Failed(peer, "CREDENTIALS_MISSING",
                "send an API key as 'authorization: Bearer dbk_…' or connect with a registered client certificate");
        }
        if (ApiKeySecret.TryParse(header) is not { } key)
        {
            throw Failed(peer, "API_KEY_MALFORMED", "the authorization header is not a Danbao API key (dbk_…)");
        }
        if (credentials.TryCachedKey(key, out var cached))
        {
            return ToCaller(cached);
        }
        if (!credentials.WasRecentlyValid(key))
        {
            if (credentials.IsKnownMiss(key))
            {
                throw Failed(peer, "API_KEY_INVALID", "the API key is unknown or revoked");
            }
            BeforeLookUp(peer);
        }
        var keyOwner = await credentials.ResolveKeyAsync(key, context.CancellationToken)
            ?? throw Failed(peer, "API_KEY_INVALID", "the API key is unknown or revoked");
        return ToCaller(keyOwner);
    }

    private static Caller ToCaller(CredentialOwner keyOwner) =>
        new(keyOwner.InstitutionId, Caller.ParseRole(keyOwner.Role), keyOwner.RegionCode, keyOwner.KeyId, "api-key");

    /// <summary>A peer out of failures is refused before its credential costs a database look-up.</summary>
    private void BeforeLookUp(string peer)
    {
        if (!failures.MayTry(peer))
        {
            throw Exhausted();
        }
    }

    /// <summary>UNAUTHENTICATED, counted against the peer; RESOURCE_EXHAUSTED once it has failed too often.</summary>
    private RpcException Failed(string peer, string reason, string message) =>
        failures.RecordFailure(peer) ? Refusal(reason, () => RpcErrors.Unauthenticated(reason, message)) : Exhausted();

    private RpcException Exhausted() =>
        Refusal("AUTHENTICATION_FAILURES_EXHAUSTED", () => RpcErrors.ResourceExhausted("AUTHENTICATION_FAILURES_EXHAUSTED",
            $"too many failed authentications from this address (at most {failures.Burst} at once, then {failures.FailuresPerPeriod} every {failures.RefillPeriod.TotalSeconds:0.###} s); retry later with a valid key",
            failures.RetryAfter));

    /// <summary>
    /// A refusal's status and rich details are the same every time (reason, message, retry delay): they
    /// are built and serialised once, so refusing a flood costs only the exception, not a google.rpc.Status per call.
    /// </summary>
    private RpcException Refusal(string reason, Func<RpcException> build)
    {
        var (status, trailers) = _refusals.GetOrAdd(reason, _ => { var e = build(); return (e.Status, e.Trailers); });
        return new RpcException(status, trailers);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Status Status, Metadata Trailers)> _refusals = new(StringComparer.Ordinal);
}
