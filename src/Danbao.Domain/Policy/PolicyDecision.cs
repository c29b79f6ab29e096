namespace Danbao.Domain.Policy;

/// <summary>Runs a decision that reads a <see cref="PolicySnapshot"/>, turning a missing parameter into a refusal.</summary>
public static class PolicyDecision
{
    public static Result<T> Run<T>(Func<Result<T>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        try
        {
            return decide();
        }
        catch (DomainRefusalException e)
        {
            return e.Refusal;
        }
    }
}
