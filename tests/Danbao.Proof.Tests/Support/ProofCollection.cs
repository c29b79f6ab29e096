namespace Danbao.Proof.Tests.Support;

/// <summary>
/// The proof suites load the machine (separate server processes, a fuzzer, a private cluster):
/// they run one after another, not in parallel with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProofCollection
{
    public const string Name = "proof";
}
