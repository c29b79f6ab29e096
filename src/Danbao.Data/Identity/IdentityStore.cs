using Danbao.Data.Sessions;
using Npgsql;
using static Danbao.Data.Sessions.DapperRows;

namespace Danbao.Data.Identity;

/// <summary>
/// SQL for institutions, API keys and client certificates, a member of the request's <see cref="DbSession"/>
/// (<c>session.Identity</c>): reads are queries for a batch, writes are queued for the next round trip.
/// </summary>
public sealed class IdentityStore(DbSession session)
{
    private const string InstitutionColumns = "id, display_name as DisplayName, role, region_code as RegionCode, created_at as CreatedAt";
    private const string ApiKeyColumns = "id, institution_id as InstitutionId, description, created_at as CreatedAt, revoked_at as RevokedAt";

    public Query<InstitutionRecord?> FindInstitution(string id) =>
        SingleOrDefault<InstitutionRecord>(Command($"select {InstitutionColumns} from institutions where id = @id", ("id", id)));

    public Task<InstitutionRecord?> FindInstitutionAsync(string id) => session.ReadAsync(FindInstitution(id));

    /// <summary>
    /// Queues the institution's creation; when one with that id exists already nothing changes and
    /// <paramref name="exists"/> (if given) is thrown when the batch runs.
    /// </summary>
    public void CreateInstitution(string id, string displayName, string role, string regionCode, Func<Exception>? exists = null) =>
        session.Queue(Command(
            "insert into institutions (id, display_name, role, region_code) values (@id, @displayName, @role, @regionCode) on conflict (id) do nothing",
            ("id", id), ("displayName", displayName), ("role", role), ("regionCode", regionCode)),
            exists is null ? null : rows => rows == 1 ? Task.CompletedTask : throw exists());

    /// <summary>
    /// Queues a lock of the keys table against concurrent key creation (held until the transaction ends):
    /// a bootstrap then counts the live ADMIN keys (<see cref="LiveAdminKeys"/>) and makes the first one only when there is none.
    /// </summary>
    public void LockKeys() => session.Queue(new NpgsqlBatchCommand("lock table api_keys in share row exclusive mode"));

    public Query<long> LiveAdminKeys() =>
        new(new NpgsqlBatchCommand(
            "select count(*) from api_keys k join institutions i on i.id = k.institution_id where i.role = 'ADMIN' and k.revoked_at is null"),
            async (r, ct) => await r.ReadAsync(ct) ? r.GetInt64(0) : 0);

    public Query<List<InstitutionRecord>> ListInstitutions(string afterId, int limit) =>
        List<InstitutionRecord>(Command($"select {InstitutionColumns} from institutions where id > @afterId order by id limit @limit",
            ("afterId", afterId), ("limit", limit)));

    public void InsertApiKey(string keyId, string institutionId, byte[] secretSha256, string description) =>
        session.Queue(Command(
            "insert into api_keys (id, institution_id, secret_sha256, description) values (@keyId, @institutionId, @secretSha256, @description)",
            ("keyId", keyId), ("institutionId", institutionId), ("secretSha256", secretSha256), ("description", description)));

    public Query<List<ApiKeyRecord>> ListApiKeys(string? institutionId, string afterId, int limit) =>
        List<ApiKeyRecord>(Command(
            $"""
            select {ApiKeyColumns}
            from api_keys where (@institutionId::text is null or institution_id = @institutionId) and id > @afterId
            order by id limit @limit
            """,
            ("institutionId", institutionId), ("afterId", afterId), ("limit", limit)));

    public Query<ApiKeyRecord?> FindApiKey(string keyId) =>
        SingleOrDefault<ApiKeyRecord>(Command($"select {ApiKeyColumns} from api_keys where id = @keyId", ("keyId", keyId)));

    /// <summary>Revokes the key if it is live; returns the key as it now stands, or null if unknown. One round trip.</summary>
    public Task<ApiKeyRecord?> RevokeApiKeyAsync(string keyId)
    {
        session.Queue(Command("update api_keys set revoked_at = now() where id = @keyId and revoked_at is null", ("keyId", keyId)));
        return session.ReadAsync(FindApiKey(keyId));
    }

    /// <summary>
    /// One look-up that tells a valid key from a wrong secret of a live key id and from a key id
    /// that is unknown or revoked (the server remembers each kind of miss differently).
    /// </summary>
    public Query<KeyLookup> LookUpKey(string keyId, byte[] secretSha256) =>
        new(Command(
            """
            select i.id, i.role, i.region_code, k.id, k.secret_sha256 = @secretSha256, k.revoked_at is null
            from api_keys k join institutions i on i.id = k.institution_id
            where k.id = @keyId
            """,
            ("keyId", keyId), ("secretSha256", secretSha256)),
            async (r, ct) =>
            {
                if (!await r.ReadAsync(ct) || !r.GetBoolean(5))
                {
                    return new KeyLookup(KeyLookupOutcome.UnknownOrRevoked, null);
                }
                return r.GetBoolean(4)
                    ? new KeyLookup(KeyLookupOutcome.Valid, new CredentialOwner(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)))
                    : new KeyLookup(KeyLookupOutcome.WrongSecret, null);
            });

    public Query<CredentialOwner?> FindCertificateOwner(string thumbprintSha256) =>
        SingleOrDefault<CredentialOwner>(Command(
            """
            select i.id as InstitutionId, i.role, i.region_code as RegionCode, 'cert:' || left(c.thumbprint_sha256, 12) as KeyId
            from client_certificates c join institutions i on i.id = c.institution_id
            where c.thumbprint_sha256 = @thumbprintSha256 and c.revoked_at is null
            """,
            ("thumbprintSha256", thumbprintSha256)));

    public void BindCertificate(string thumbprintSha256, string institutionId) =>
        session.Queue(Command(
            "insert into client_certificates (thumbprint_sha256, institution_id) values (@thumbprintSha256, @institutionId) on conflict do nothing",
            ("thumbprintSha256", thumbprintSha256), ("institutionId", institutionId)));
}
