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
public sealed class AuthInterceptor(CredentialResolver credentials) : CallInterceptor
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
        if (http.Connection.ClientCertificate is { } certificate)
        {
            var owner = await credentials.ResolveCertificateAsync(certificate.RawData, context.CancellationToken)
                ?? throw RpcErrors.Unauthenticated("CERTIFICATE_NOT_REGISTERED",
                    "the client certificate is not bound to an institution (or its binding was revoked)");
            return new Caller(owner.InstitutionId, Caller.ParseRole(owner.Role), owner.RegionCode, owner.KeyId, "mtls");
        }
        var headers = http.Request.Headers.Authorization;
        if (headers.Count > 1)
        {
            // A gateway that reads the first header and a server that reads the last would disagree on who calls.
            throw RpcErrors.Unauthenticated("AUTHORIZATION_REPEATED", "send exactly one authorization header");
        }
        var header = headers.ToString();
        if (string.IsNullOrEmpty(header))
        {
            throw RpcErrors.Unauthenticated("CREDENTIALS_MISSING",
                "send an API key as 'authorization: Bearer dbk_…' or connect with a registered client certificate");
        }
        if (ApiKeySecret.TryParse(header) is not { } key)
        {
            throw RpcErrors.Unauthenticated("API_KEY_MALFORMED", "the authorization header is not a Danbao API key (dbk_…)");
        }
        var keyOwner = await credentials.ResolveKeyAsync(key, context.CancellationToken)
            ?? throw RpcErrors.Unauthenticated("API_KEY_INVALID", "the API key is unknown or revoked");
        return new Caller(keyOwner.InstitutionId, Caller.ParseRole(keyOwner.Role), keyOwner.RegionCode, keyOwner.KeyId, "api-key");
    }
}
