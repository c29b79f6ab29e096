using Danbao.Domain;
using Danbao.Domain.Loans;
namespace Danbao.Data.Loans;

/// <summary>
/// A loans row: the aggregate's <see cref="LoanData"/> plus what only the service keeps
/// (owning bank, district, the borrower as submitted, the sealed ID number, version, timestamps).
/// </summary>
public sealed record LoanRecord
{
    public required LoanData Data { get; init; }
    public required string BankId { get; init; }
    public required string District { get; init; }
    /// <summary>The borrower as JSON, ID numbers removed (masked copies only).</summary>
    public required string BorrowerJson { get; init; }
    public required byte[] IdNumberCipher { get; init; }
    public required byte[] IdNumberIndex { get; init; }
    public string? GuaranteeFundId { get; init; }
    /// <summary>An enterprise's unified social credit code (written at insert; indexed).</summary>
    public string? CreditCode { get; init; }
    public required DateOnly ApplicationDate { get; init; }
    /// <summary>Every rule that failed at review, by reason code.</summary>
    public IReadOnlyList<string> FailedRules { get; init; } = [];
    public int Version { get; init; } = 1;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Filters of a loan listing; null means "any".</summary>
public sealed record LoanFilter
{
    public string? BankId { get; init; }
    /// <summary>Region prefix: a caller sees its own region and the regions within it.</summary>
    public string? RegionWithin { get; init; }
    public LoanState? State { get; init; }
    public string? District { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedBefore { get; init; }
}

/// <summary>Keyset cursor of a listing: newest first by (created_at, id).</summary>
public readonly record struct LoanCursor(DateTimeOffset CreatedAt, string Id);
