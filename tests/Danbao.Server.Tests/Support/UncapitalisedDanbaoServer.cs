namespace Danbao.Server.Tests.Support;

/// <summary>The test server with funds that start empty, for tests of exact fund balances and leverage.</summary>
public sealed class UncapitalisedDanbaoServer : DanbaoServer
{
    protected override bool CapitaliseFunds => false;
}
