using Xunit.Abstractions;

[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
[assembly: Xunit.TestCollectionOrderer("Danbao.Proof.Tests.Support.LogScanLast", "Danbao.Proof.Tests")]

namespace Danbao.Proof.Tests.Support;

/// <summary>
/// The proof suites run one at a time (each loads the 2-core machine on its own), and the log
/// scan runs after all of them, so it sees every log line the run produced.
/// </summary>
public sealed class LogScanLast : ITestCollectionOrderer
{
    public const string LastCollection = "zz log scan";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => c.DisplayName == LastCollection ? 1 : 0).ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}

[CollectionDefinition(LogScanLast.LastCollection)]
public sealed class LogScanCollection;
