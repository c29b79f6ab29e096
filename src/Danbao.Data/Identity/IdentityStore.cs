using Dapper;
using Npgsql;

namespace Danbao.Data.Identity;

/// <summary>SQL for institutions, API keys and client certificates.</summary>
public static class IdentityStore
{
    public static Task<InstitutionRecord?> FindInstitutionAsync(NpgsqlConnection conn, string id, NpgsqlTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<InstitutionRecord>(
            "select id, display_name as DisplayName, role, region_code as RegionCode, created_at as CreatedAt from institutions where id = @id",
            new { id }, tx);

    /// <summary>Creates the institution; false when one with that id exists already.</summary>
    public static async Task<bool> TryCreateInstitutionAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string id, string displayName, string role, string regionCode)
    {
        var rows = await conn.ExecuteAsync(
            "insert into institutions (id, display_name, role, region_code) values (@id, @displayName, @role, @regionCode) on conflict (id) do nothing",
            new { id, displayName, role, regionCode }, tx);
        return rows == 1;
    }

    /// <summary>
    /// Locks the keys table against concurrent key creation (until the transaction ends) and counts the
    /// live ADMIN keys: a bootstrap makes the first admin key only when this is 0.
    /// </summary>
    public static async Task<long> LockKeysAndCountLiveAdminKeysAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await conn.ExecuteAsync("lock table api_keys in share row exclusive mode", transaction: tx);
        return await conn.ExecuteScalarAsync<long>(
            "select count(*) from api_keys k join institutions i on i.id = k.institution_id where i.role = 'ADMIN' and k.revoked_at is null",
            transaction: tx);
    }

    public static async Task<IReadOnlyList<InstitutionRecord>> ListInstitutionsAsync(NpgsqlConnection conn, string afterId, int limit) =>
        (await conn.QueryAsync<InstitutionRecord>(
            "select id, display_name as DisplayName, role, region_code as RegionCode, created_at as CreatedAt from institutions where id > @afterId order by id limit @limit",
            new { afterId, limit })).AsList();

    public static Task InsertApiKeyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string keyId, string institutionId, byte[] secretSha256, string description) =>
        conn.ExecuteAsync(
            "insert into api_keys (id, institution_id, secret_sha256, description) values (@keyId, @institutionId, @secretSha256, @description)",
            new { keyId, institutionId, secretSha256, description }, tx);

    public static async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(NpgsqlConnection conn, string? institutionId, string afterId, int limit) =>
        (await conn.QueryAsync<ApiKeyRecord>(
            """
            select id, institution_id as InstitutionId, description, created_at as CreatedAt, revoked_at as RevokedAt
            from api_keys where (@institutionId::text is null or institution_id = @institutionId) and id > @afterId
            order by id limit @limit
            """,
            new { institutionId, afterId, limit })).AsList();

    public static Task<ApiKeyRecord?> FindApiKeyAsync(NpgsqlConnection conn, string keyId, NpgsqlTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<ApiKeyRecord>(
            "select id, institution_id as InstitutionId, description, created_at as CreatedAt, revoked_at as RevokedAt from api_keys where id = @keyId",
            new { keyId }, tx);

    /// <summary>Revokes the key if it is live; returns the key as it now stands, or null if unknown.</summary>
    public static async Task<ApiKeyRecord?> RevokeApiKeyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string keyId)
    {
        await conn.ExecuteAsync("update api_keys set revoked_at = now() where id = @keyId and revoked_at is null", new { keyId }, tx);
        return await FindApiKeyAsync(conn, keyId, tx);
    }

    /// <summary>The owner of a live key whose secret hashes to <paramref name="secretSha256"/>.</summary>
    public static Task<CredentialOwner?> FindKeyOwnerAsync(NpgsqlConnection conn, string keyId, byte[] secretSha256) =>
        conn.QuerySingleOrDefaultAsync<CredentialOwner>(
            """
            select i.id as InstitutionId, i.role, i.region_code as RegionCode, k.id as KeyId
            from api_keys k join institutions i on i.id = k.institution_id
            where k.id = @keyId and k.secret_sha256 = @secretSha256 and k.revoked_at is null
            """,
            new { keyId, secretSha256 });

    /// <summary>
    /// One look-up that tells a valid key from a wrong secret of a live key id and from a key id
    /// that is unknown or revoked (the server remembers each kind of miss differently).
    /// </summary>
    public static async Task<KeyLookup> LookUpKeyAsync(NpgsqlConnection conn, string keyId, byte[] secretSha256)
    {
        var row = await conn.QuerySingleOrDefaultAsync<KeyLookupRow>(
            """
            select i.id as InstitutionId, i.role as Role, i.region_code as RegionCode, k.id as KeyId,
                   k.secret_sha256 = @secretSha256 as SecretMatches, k.revoked_at is null as Live
            from api_keys k join institutions i on i.id = k.institution_id
            where k.id = @keyId
            """,
            new { keyId, secretSha256 });
        if (row is null || !row.Live)
        {
            return new KeyLookup(KeyLookupOutcome.UnknownOrRevoked, null);
        }
        return row.SecretMatches
            ? new KeyLookup(KeyLookupOutcome.Valid, new CredentialOwner(row.InstitutionId, row.Role, row.RegionCode, row.KeyId))
            : new KeyLookup(KeyLookupOutcome.WrongSecret, null);
    }

    private sealed record KeyLookupRow(string InstitutionId, string Role, string RegionCode, string KeyId, bool SecretMatches, bool Live);

    public static Task<CredentialOwner?> FindCertificateOwnerAsync(NpgsqlConnection conn, string thumbprintSha256) =>
        conn.QuerySingleOrDefaultAsync<CredentialOwner>(
            """
            select i.id as InstitutionId, i.role, i.region_code as RegionCode, 'cert:' || left(c.thumbprint_sha256, 12) as KeyId
            from client_certificates c join institutions i on i.id = c.institution_id
            where c.thumbprint_sha256 = @thumbprintSha256 and c.revoked_at is null
            """,
            new { thumbprintSha256 });

    public static Task BindCertificateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string thumbprintSha256, string institutionId) =>
        conn.ExecuteAsync(
            "insert into client_certificates (thumbprint_sha256, institution_id) values (@thumbprintSha256, @institutionId) on conflict do nothing",
            new { thumbprintSha256, institutionId }, tx);
}
