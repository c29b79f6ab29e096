using Danbao.Contracts.V1;
using Danbao.Data.Identity;
using Danbao.Data.Sessions;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Resources;
using Danbao.Server.Validation;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.IdentityService: institutions and their API keys. Reads use the call's <see cref="ReadSession"/>
/// (from DI, opened on first use); writes run in the <see cref="WriteRunner"/>'s session.
/// </summary>
public sealed class IdentityHandler(ReadSession reads, WriteRunner writes, CredentialResolver credentials, TimeProvider clock) : IdentityService.IdentityServiceBase
{
    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override Task<Contracts.V1.Caller> WhoAmI(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(WithBusinessDate(context.Caller().ToProto()));

    private Contracts.V1.Caller WithBusinessDate(Contracts.V1.Caller caller)
    {
        caller.BusinessDate = BusinessDates.Text(BusinessDates.Today(clock));
        return caller;
    }

    [Roles(Role.Admin)]
    public override Task<Institution> CreateInstitution(CreateInstitutionRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var id = errors.Text("institution_id", request.InstitutionId, lengthMax: 63);
        if (id.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z0-9][a-z0-9-]{1,62}$"))
        {
            errors.Add("institution_id", "lower-case letters, digits and '-', 2–63 characters, e.g. 'icbc-gz'");
        }
        var institution = request.Institution ?? new Institution();
        errors.Text("institution.display_name", institution.DisplayName, lengthMax: 200);
        errors.Enum("institution.role", institution.Role);
        if (!Domain.Policy.RegionCode.TryParse(institution.Region, out _))
        {
            errors.Add("institution.region", "a region code like CN, CN-GD or CN-GD-GZ");
        }
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            // Queued with the audit event and the stored reply: one round trip after the claim.
            scope.Session.Identity.CreateInstitution(id, institution.DisplayName.Trim(), Identity.Caller.StoredRole(institution.Role), institution.Region,
                exists: () => RpcErrors.AlreadyExists(ResourceNames.Institution.Type, ResourceNames.Institution.Format(id), $"institution '{id}' exists already"));
            await scope.AuditAsync("institution", id, "institution.created", null, null,
                new { role = Identity.Caller.StoredRole(institution.Role), region = institution.Region });
            return new Institution { Name = ResourceNames.Institution.Format(id), DisplayName = institution.DisplayName.Trim(), Role = institution.Role, Region = institution.Region };
        });
    }

    [Roles(Role.Admin)]
    public override async Task<ListInstitutionsResponse> ListInstitutions(ListInstitutionsRequest request, ServerCallContext context)
    {
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        var session = await reads.GetAsync(context.CancellationToken);
        var rows = await session.ReadAsync(session.Identity.ListInstitutions(after, size + 1));
        var response = new ListInstitutionsResponse();
        response.Institutions.AddRange(rows.Take(size).Select(ToProto));
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Id);
        }
        return response;
    }

    [Roles(Role.Admin)]
    public override Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var institutionId = InstitutionId(errors, "institution", request.Institution);
        errors.Text("description", request.Description, required: false, lengthMax: 200);
        errors.ThrowIfAny();
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            if (await scope.Session.Identity.FindInstitutionAsync(institutionId) is null)
            {
                throw RpcErrors.NotFound(ResourceNames.Institution.Type, request.Institution, $"no institution '{institutionId}'");
            }
            var secret = ApiKeySecret.Generate();
            scope.Session.Identity.InsertApiKey(secret.KeyId, institutionId, secret.Hash(), request.Description.Trim());
            await scope.AuditAsync("api_key", secret.KeyId, "api_key.created", null, null, new { institution = institutionId });
            return new CreateApiKeyResponse
            {
                Key = new ApiKey { Name = ResourceNames.ApiKey.Format(secret.KeyId), Institution = ResourceNames.Institution.Format(institutionId), Description = request.Description.Trim(), CreateTime = scope.Now.ToString("O") },
                Secret = secret.Token,
            };
        },
        // The secret is shown once and stored nowhere: a replay returns the key without it.
        redactStored: reply => { reply.Secret = ""; return reply; }, claimWithLoad: true);
    }

    [Roles(Role.Admin)]
    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        string? institution = null;
        if (request.Institution.Length > 0)
        {
            var errors = new FieldErrors();
            institution = InstitutionId(errors, "institution", request.Institution);
            errors.ThrowIfAny();
        }
        var session = await reads.GetAsync(context.CancellationToken);
        var rows = await session.ReadAsync(session.Identity.ListApiKeys(institution, after, size + 1));
        var response = new ListApiKeysResponse();
        response.Keys.AddRange(rows.Take(size).Select(ToProto));
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Id);
        }
        return response;
    }

    [Roles(Role.Admin)]
    public override async Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var keyId = ResourceNames.ApiKey.Parse(errors, "name", request.Name);
        errors.ThrowIfAny();
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var key = await scope.Session.Identity.RevokeApiKeyAsync(keyId)
                ?? throw RpcErrors.NotFound(ResourceNames.ApiKey.Type, request.Name, $"no API key {request.Name}");
            await scope.AuditAsync("api_key", keyId, "api_key.revoked", "LIVE", "REVOKED");
            return ToProto(key);
        }, claimWithLoad: true);
        credentials.Forget(keyId);
        return reply;
    }

    [Roles(Role.Admin)]
    public override Task<ClientCertificate> RegisterClientCertificate(RegisterClientCertificateRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var institutionId = InstitutionId(errors, "institution", request.Institution);
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null;
        try
        {
            certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(request.CertificatePem);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            errors.Add("certificate_pem", "a PEM certificate (-----BEGIN CERTIFICATE-----), without its private key");
        }
        errors.ThrowIfAny();
        var thumbprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate!.RawData));
        return writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            if (await scope.Session.Identity.FindInstitutionAsync(institutionId) is null)
            {
                throw RpcErrors.NotFound(ResourceNames.Institution.Type, request.Institution, $"no institution '{institutionId}'");
            }
            scope.Session.Identity.BindCertificate(thumbprint, institutionId);
            await scope.AuditAsync("client_certificate", thumbprint, "client_certificate.registered", null, null,
                new { institution = institutionId, subject = certificate.Subject });
            return new ClientCertificate
            {
                Name = ResourceNames.ClientCertificate.Format(thumbprint),
                Institution = ResourceNames.Institution.Format(institutionId),
                Subject = certificate.Subject,
                NotAfterTime = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero).ToString("O"),
            };
        }, claimWithLoad: true);
    }

    private static string InstitutionId(FieldErrors errors, string field, string name) => ResourceNames.Institution.Parse(errors, field, name);

    private static Institution ToProto(InstitutionRecord r) => new()
    {
        Name = ResourceNames.Institution.Format(r.Id),
        DisplayName = r.DisplayName,
        Role = Identity.Caller.ParseRole(r.Role),
        Region = r.RegionCode,
    };

    private static ApiKey ToProto(ApiKeyRecord k) => new()
    {
        Name = ResourceNames.ApiKey.Format(k.Id),
        Institution = ResourceNames.Institution.Format(k.InstitutionId),
        Description = k.Description,
        CreateTime = new DateTimeOffset(k.CreatedAt, TimeSpan.Zero).ToString("O"),
        RevokeTime = k.RevokedAt is { } r ? new DateTimeOffset(r, TimeSpan.Zero).ToString("O") : "",
    };
}
