using System.Reflection;
using Danbao.Data.Identity;
using Danbao.Grpc;

namespace Danbao.Server.Identity;

/// <summary>
/// Authenticates every call (mTLS client certificate, else an API key in `authorization`) and
/// authorises it against the roles its handler declares with <see cref="RolesAttribute"/>.
/// The standard services (health, reflection) and the interop test service stay open.
/// </summary>
public sealed class AuthInterceptor(CredentialResolver credentials) : IServerInterceptor
{
    private static readonly string[] OpenServicePrefixes = ["/grpc.health.v1.", "/grpc.reflection.", "/grpc.testing."];

    public async Task InvokeAsync(ServerCallContext context, Func<Task> next)
    {
        if (IsOpen(context.Method))
        {
            await next();
            return;
        }
        var caller = await AuthenticateAsync(context);
        var roles = RolesOf(context.HandlerMethod);
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
        context.Items[typeof(Caller)] = caller;
        await next();
    }

    /// <summary>The roles a handler declares; a Danbao handler without any is a start-up error (<see cref="CheckDeclared"/>).</summary>
    public static IReadOnlyList<Contracts.V1.Role> RolesOf(MethodInfo? handler) =>
        handler?.GetCustomAttribute<RolesAttribute>()?.Roles ?? [];

    /// <summary>Fails start-up when a handler method of a Danbao service declares no roles.</summary>
    public static void CheckDeclared(Type handlerType, Google.Protobuf.Reflection.ServiceDescriptor service)
    {
        var missing = service.Methods
            .Where(m => handlerType.GetMethod(m.Name)?.GetCustomAttribute<RolesAttribute>() is null)
            .Select(m => $"{service.FullName}/{m.Name}")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("handlers without [Roles]: " + string.Join(", ", missing));
        }
    }

    private static bool IsOpen(string method) => OpenServicePrefixes.Any(p => method.StartsWith(p, StringComparison.Ordinal));

    private async Task<Caller> AuthenticateAsync(ServerCallContext context)
    {
        CredentialOwner? owner = null;
        var by = "";
        if (context.ClientCertificate is { } certificate)
        {
            owner = await credentials.ResolveCertificateAsync(certificate.RawData, context.CancellationToken);
            by = "mtls";
            if (owner is null)
            {
                throw RpcErrors.Unauthenticated("CERTIFICATE_NOT_REGISTERED",
                    "the client certificate is not bound to an institution (or its binding was revoked)");
            }
        }
        else
        {
            var header = context.RequestHeaders.Get("authorization");
            if (string.IsNullOrEmpty(header))
            {
                throw RpcErrors.Unauthenticated("CREDENTIALS_MISSING",
                    "send an API key as 'authorization: Bearer dbk_…' or connect with a registered client certificate");
            }
            if (ApiKeySecret.TryParse(header) is not { } key)
            {
                throw RpcErrors.Unauthenticated("API_KEY_MALFORMED", "the authorization header is not a Danbao API key (dbk_…)");
            }
            owner = await credentials.ResolveKeyAsync(key, context.CancellationToken);
            by = "api-key";
            if (owner is null)
            {
                throw RpcErrors.Unauthenticated("API_KEY_INVALID", "the API key is unknown or revoked");
            }
        }
        return new Caller(owner.InstitutionId, Caller.ParseRole(owner.Role), owner.RegionCode, owner.KeyId, by);
    }
}

/// <summary>The caller of the current call, as the auth interceptor established it.</summary>
public static class CallerContext
{
    public static Caller Caller(this ServerCallContext context) =>
        context.Items.TryGetValue(typeof(Caller), out var value) && value is Caller caller
            ? caller
            : throw new InvalidOperationException("no authenticated caller: is the auth interceptor registered?");
}
