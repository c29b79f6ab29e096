namespace Danbao.Server.Subsidy;

/// <summary>
/// Bounds on a streamed claim (StreamSubsidyClaimLines): lines per stream, a server option
/// (--subsidy-stream-lines-max, default the claim's own limit). Lines per message are the unary call's
/// (<see cref="Data.Subsidy.SubsidyStore.LinesPerBatchMax"/>); bytes per message are --max-message-bytes.
/// </summary>
public sealed record SubsidyStreamLimits
{
    public int LinesPerStreamMax { get; init; } = Domain.Subsidy.SubsidyClaim.LinesMax;

    /// <summary>Lines recomputed and written together (tests make batches small; not a command-line option).</summary>
    public int BatchLines { get; init; } = Data.Subsidy.SubsidyStore.LinesPerBatchMax;
}
