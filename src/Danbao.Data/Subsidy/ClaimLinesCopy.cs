using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Danbao.Data.Subsidy;

/// <summary>
/// Claim lines as one binary COPY for the whole call (rows encoded by <see cref="ClaimLineCopyRows"/>, sent 64 KB at a
/// time: one awaited write per chunk, not per field). A stream feeds it a batch at a time as batches are judged. One COPY
/// instead of a COPY and a savepoint per batch: PostgreSQL set up a statement, a subtransaction and a thousand tuple
/// slots for every thousand lines, and the stream waited for each batch's answer before the next step; now the
/// rows are handed to the socket and PostgreSQL inserts them while the server judges the next batch. The price: a
/// refusal by the lines' keys (23505) is known only when the COPY ends, and names the row, not the batch
/// (<see cref="RefusedLine"/>).
/// </summary>
public sealed partial class ClaimLinesCopy : IAsyncDisposable
{
    private readonly NpgsqlRawCopyStream _copy;
    private readonly CancellationToken _ct;
    private bool _ended;

    private ClaimLinesCopy(NpgsqlRawCopyStream copy, CancellationToken ct)
    {
        _copy = copy;
        _ct = ct;
    }

    internal static async Task<ClaimLinesCopy> BeginAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        var copy = await connection.BeginRawBinaryCopyAsync(sql, ct);
        try
        {
            await copy.WriteAsync(ClaimLineCopyRows.Header.ToArray(), ct);
        }
        catch
        {
            await copy.CancelAsync();
            await copy.DisposeAsync();
            throw;
        }
        return new ClaimLinesCopy(copy, ct);
    }

    /// <summary>Sends a batch's encoded rows (not its header) and flushes them, so PostgreSQL inserts them while the caller goes on.</summary>
    public async Task WriteAsync(ClaimLineCopyRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var bytes = rows.Written[ClaimLineCopyRows.Header.Length..];
        for (var at = 0; at < bytes.Length; at += SubsidyStore.CopyChunkBytes)
        {
            await _copy.WriteAsync(bytes.Slice(at, Math.Min(SubsidyStore.CopyChunkBytes, bytes.Length - at)), _ct);
        }
        await _copy.FlushAsync(_ct);
    }

    /// <summary>Ends the COPY: PostgreSQL's answer, a refusal included, is raised here.</summary>
    public async Task CompleteAsync()
    {
        await _copy.WriteAsync(ClaimLineCopyRows.Trailer.ToArray(), _ct);
        _ended = true;
        await _copy.DisposeAsync();
    }

    /// <summary>Abandons the COPY (nothing of it is kept), unless it was ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            _ended = true;
            await _copy.CancelAsync();
            await _copy.DisposeAsync();
        }
    }

    /// <summary>
    /// The 0-based row of the COPY that a refusal names, from its context ("COPY subsidy_claim_lines, line 3"; PostgreSQL
    /// counts from 1 and, since 14, names the row whose index entry failed even when rows are inserted in batches);
    /// null when the refusal names none.
    /// </summary>
    public static long? RefusedLine(PostgresException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var match = LineInContext().Match(refusal.Where ?? "");
        return match.Success && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var line) && line >= 1
            ? line - 1
            : null;
    }

    [GeneratedRegex(@"^COPY \w+, line (\d+)")]
    private static partial Regex LineInContext();
}
