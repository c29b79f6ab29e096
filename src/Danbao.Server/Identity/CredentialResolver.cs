using System.Collections.Concurrent;
using System.Security.Cryptography;
using Danbao.Data;
using Danbao.Data.Identity;

namespace Danbao.Server.Identity;

/// <summary>
/// Resolves an API key or client certificate to its institution. Valid credentials are cached for
/// a short time so authentication costs no database round trip per call; a revocation made through
/// this server takes effect at once, one made elsewhere within <see cref="CacheTtl"/>.
/// </summary>
public sealed class CredentialResolver(Database database, TimeProvider clock)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(10);
    private const int CacheEntriesMax = 10_000;
    private readonly ConcurrentDictionary<string, (CredentialOwner Owner, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<CredentialOwner?> ResolveKeyAsync(ApiKeySecret key, CancellationToken ct)
    {
        var hash = key.Hash();
        var cacheKey = "k:" + Convert.ToHexString(hash);
        if (TryCached(cacheKey, out var owner))
        {
            return owner;
        }
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        owner = await IdentityStore.FindKeyOwnerAsync(conn, key.KeyId, hash);
        Remember(cacheKey, owner);
        return owner;
    }

    public async Task<CredentialOwner?> ResolveCertificateAsync(byte[] certificateDer, CancellationToken ct)
    {
        var thumbprint = Convert.ToHexString(SHA256.HashData(certificateDer));
        var cacheKey = "c:" + thumbprint;
        if (TryCached(cacheKey, out var owner))
        {
            return owner;
        }
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        owner = await IdentityStore.FindCertificateOwnerAsync(conn, thumbprint);
        Remember(cacheKey, owner);
        return owner;
    }

    /// <summary>Forgets every cached credential of a key (called when it is revoked here).</summary>
    public void Forget(string keyId)
    {
        foreach (var entry in _cache.Where(e => e.Value.Owner.KeyId == keyId).ToList())
        {
            _cache.TryRemove(entry.Key, out _);
        }
    }

    private bool TryCached(string cacheKey, out CredentialOwner? owner)
    {
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > clock.GetUtcNow())
        {
            owner = hit.Owner;
            return true;
        }
        owner = null;
        return false;
    }

    private void Remember(string cacheKey, CredentialOwner? owner)
    {
        // Only valid credentials are cached: a wrong key must not crowd out right ones.
        if (owner is null)
        {
            return;
        }
        if (_cache.Count >= CacheEntriesMax)
        {
            _cache.Clear();
        }
        _cache[cacheKey] = (owner, clock.GetUtcNow() + CacheTtl);
    }
}
