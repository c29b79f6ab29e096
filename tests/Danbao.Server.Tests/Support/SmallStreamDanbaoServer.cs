using Danbao.Client;
using Danbao.Server.Hosting;

namespace Danbao.Server.Tests.Support;

/// <summary>
/// The server with small subsidy streams: batches of 2 lines (so a few lines cross batches and messages) and at
/// most 5 lines a stream; its clients may send messages above the server's 4 MiB limit, so the server's bound is the one met.
/// </summary>
public sealed class SmallStreamDanbaoServer : DanbaoServer
{
    public const int BatchLines = 2;
    public const int StreamLinesMax = 5;

    protected override ServerSettings Configure(ServerSettings settings) =>
        settings with { SubsidyStreams = new Danbao.Server.Subsidy.SubsidyStreamLimits { BatchLines = BatchLines, LinesPerStreamMax = StreamLinesMax } };

    protected override DanbaoClientOptions ClientOptions() => new() { MaxMessageBytes = 16 * 1024 * 1024 };
}
