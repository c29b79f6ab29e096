namespace Danbao.Server.Subsidy;

/// <summary>
/// Bounds on a streamed claim (StreamSubsidyClaimLines): lines per stream, a server option
/// (--subsidy-stream-lines-max, default the claim's own limit). Lines per message are the unary call's
/// (<see cref="Data.Subsidy.SubsidyStore.LinesPerBatchMax"/>); bytes per message are --max-message-bytes.
/// </summary>
public sealed record SubsidyStreamLimits
{
    /// <summary>
    /// Lines loaded, judged and written together. A batch's loans, lines and verdicts live while it passes through the
    /// stream's three stages (three batches at once): at 10,000 lines they outlived the collector's young generations,
    /// and a million-line stream cost 52 full collections (4.8–6.7 s of pauses) and a 234–247 MB peak; at 1,000 lines,
    /// 16–19 full collections (1.6–2.0 s) and 183–198 MB (docs/subsidy.md, "Sixth pass"). Fewer lines would add round
    /// trips for little.
    /// </summary>
    public const int BatchLinesDefault = 1_000;

    public int LinesPerStreamMax { get; init; } = Domain.Subsidy.SubsidyClaim.LinesMax;

    /// <summary>Lines recomputed and written together (tests make batches small; not a command-line option).</summary>
    public int BatchLines { get; init; } = BatchLinesDefault;
}
