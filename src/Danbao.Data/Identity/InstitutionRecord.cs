namespace Danbao.Data.Identity;

/// <summary>An institution as stored: its id is the name other tables use (e.g. loans.bank_id).</summary>
public sealed record InstitutionRecord(string Id, string DisplayName, string Role, string RegionCode, DateTime CreatedAt);

/// <summary>An API key as stored: never its secret, only the secret's hash.</summary>
public sealed record ApiKeyRecord(string Id, string InstitutionId, string Description, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>What a valid credential resolves to.</summary>
public sealed record CredentialOwner(string InstitutionId, string Role, string RegionCode, string KeyId);

/// <summary>What a key look-up found (<see cref="IdentityStore.LookUpKey"/>).</summary>
public enum KeyLookupOutcome
{
    Valid,
    WrongSecret,
    UnknownOrRevoked,
}

/// <summary>The outcome of a key look-up, with the owner when valid.</summary>
public sealed record KeyLookup(KeyLookupOutcome Outcome, CredentialOwner? Owner);
