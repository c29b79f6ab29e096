using System.Collections.Concurrent;
using System.Security.Cryptography;
using Danbao.Data;
using Danbao.Data.Identity;

namespace Danbao.Server.Identity;

/// <summary>
/// Resolves an API key or client certificate to its institution, from memory where it can:
/// <list type="bullet">
/// <item>Valid credentials are cached for <see cref="CacheTtl"/>, so authentication costs no database
/// round trip per call. A revocation made through this server takes effect at once (<see cref="Forget"/>);
/// one made through another instance within <see cref="CacheTtl"/> (under a second: issue 14, §5).</item>
/// <item>Misses are remembered too (issue 14, finding 3): a key id that is unknown or revoked, and a
/// wrong secret of a live key id (by its hash, so that someone who learns a key id cannot lock its
/// owner out), for <see cref="MissTtl"/>. A flood of the same unknown key reaches PostgreSQL once.
/// Both caches are bounded (<see cref="CacheEntriesMax"/>, <see cref="MissEntriesMax"/>).</item>
/// </list>
/// </summary>
public sealed class CredentialResolver(Database database, TimeProvider clock)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromMilliseconds(750);
    public static readonly TimeSpan MissTtl = TimeSpan.FromMinutes(10);
    public const int CacheEntriesMax = 10_000;
    public const int MissEntriesMax = 100_000;
    private readonly ConcurrentDictionary<string, (CredentialOwner Owner, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _misses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recentlyValid = new(StringComparer.Ordinal);

    /// <summary>How long a key that authenticated stays "known good" for the per-peer failure limit.</summary>
    public static readonly TimeSpan RecentlyValidTtl = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether this very key (its secret's hash) authenticated within <see cref="RecentlyValidTtl"/>.
    /// Such a key is looked up even while its peer address is over its failure limit: a bank that
    /// shares an address with an attacker keeps working. It is still checked against the database,
    /// so a revocation holds as before.
    /// </summary>
    public bool WasRecentlyValid(ApiKeySecret key) =>
        _recentlyValid.TryGetValue("k:" + Convert.ToHexString(key.Hash()), out var until) && until > clock.GetUtcNow();

    /// <summary>
    /// Whether the key is known to fail without asking the database (its key id unknown or revoked,
    /// or this very secret wrong). Call before <see cref="ResolveKeyAsync"/> to refuse from memory.
    /// </summary>
    public bool IsKnownMiss(ApiKeySecret key) =>
        IsMiss("id:" + key.KeyId) || IsMiss("k:" + Convert.ToHexString(key.Hash()));

    /// <summary>Whether a valid owner of this key is in memory (no database work to authenticate it).</summary>
    public bool IsCached(ApiKeySecret key) => TryCachedKey(key, out _);

    /// <summary>The key's owner when it is in memory: authentication's fast path, one hash and no database work.</summary>
    public bool TryCachedKey(ApiKeySecret key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CredentialOwner? owner) =>
        TryCached("k:" + Convert.ToHexString(key.Hash()), out owner);

    public async Task<CredentialOwner?> ResolveKeyAsync(ApiKeySecret key, CancellationToken ct)
    {
        var hash = key.Hash();
        var cacheKey = "k:" + Convert.ToHexString(hash);
        if (TryCached(cacheKey, out var owner))
        {
            return owner;
        }
        if (IsMiss("id:" + key.KeyId) || IsMiss(cacheKey))
        {
            return null;
        }
        // A read session of its own (not the call's: authentication runs before the handler and must not hold a
        // connection for the call): one pooled open and one query, as cheap as a bare connection.
        KeyLookup lookup;
        await using (var session = await database.OpenReadSessionAsync(ct))
        {
            lookup = await session.ReadAsync(session.Identity.LookUpKey(key.KeyId, hash));
        }
        switch (lookup.Outcome)
        {
            case KeyLookupOutcome.Valid:
                Remember(cacheKey, lookup.Owner!);
                return lookup.Owner;
            case KeyLookupOutcome.WrongSecret:
                RememberMiss(cacheKey);
                return null;
            default:
                RememberMiss("id:" + key.KeyId);
                return null;
        }
    }

    public async Task<CredentialOwner?> ResolveCertificateAsync(byte[] certificateDer, CancellationToken ct)
    {
        var thumbprint = Convert.ToHexString(SHA256.HashData(certificateDer));
        var cacheKey = "c:" + thumbprint;
        if (TryCached(cacheKey, out var owner))
        {
            return owner;
        }
        await using (var session = await database.OpenReadSessionAsync(ct))
        {
            owner = await session.ReadAsync(session.Identity.FindCertificateOwner(thumbprint));
        }
        if (owner is not null)
        {
            Remember(cacheKey, owner);
        }
        return owner;
    }

    /// <summary>Forgets every cached credential of a key and remembers its id as revoked (called when it is revoked here).</summary>
    public void Forget(string keyId)
    {
        foreach (var entry in _cache.Where(e => e.Value.Owner.KeyId == keyId).ToList())
        {
            _cache.TryRemove(entry.Key, out _);
        }
        RememberMiss("id:" + keyId);
    }

    private bool TryCached(string cacheKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CredentialOwner? owner)
    {
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > clock.GetUtcNow())
        {
            owner = hit.Owner;
            return true;
        }
        owner = null;
        return false;
    }

    private bool IsMiss(string missKey) => _misses.TryGetValue(missKey, out var expires) && expires > clock.GetUtcNow();

    private void Remember(string cacheKey, CredentialOwner owner)
    {
        if (_cache.Count >= CacheEntriesMax)
        {
            _cache.Clear();
        }
        _cache[cacheKey] = (owner, clock.GetUtcNow() + CacheTtl);
        if (_recentlyValid.Count >= CacheEntriesMax)
        {
            _recentlyValid.Clear();
        }
        _recentlyValid[cacheKey] = clock.GetUtcNow() + RecentlyValidTtl;
    }

    private void RememberMiss(string missKey)
    {
        // Bounded: when full, start over (misses cost one lookup each again, and the per-peer
        // failure limit bounds how fast anyone can cause them).
        if (_misses.Count >= MissEntriesMax)
        {
            _misses.Clear();
        }
        _misses[missKey] = clock.GetUtcNow() + MissTtl;
    }
}
