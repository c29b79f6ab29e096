namespace Danbao.Data.Idempotency;

/// <summary>What <see cref="IdempotencyStore.ClaimAsync"/> found for a request id.</summary>
public abstract record IdempotencyClaim
{
    private IdempotencyClaim()
    {
    }

    /// <summary>First time: the row is claimed; perform the effects, then <see cref="IdempotencyStore.CompleteAsync"/> in the same transaction.</summary>
    public sealed record New : IdempotencyClaim;

    /// <summary>Already executed with the same method and request: return <paramref name="Response"/>, do nothing else.</summary>
    public sealed record Replay(byte[] Response) : IdempotencyClaim;

    /// <summary>The request id was used for a different method or request body: refuse the call.</summary>
    public sealed record Mismatch(string ExistingMethod, bool SameMethod) : IdempotencyClaim;
}

/// <summary>The request id was claimed before: <see cref="Claim"/> is the replay or the mismatch.</summary>
public sealed class RequestAlreadyClaimedException(IdempotencyClaim claim)
    : Exception("The request id was already claimed.")
{
    public IdempotencyClaim Claim { get; } = claim;
}
