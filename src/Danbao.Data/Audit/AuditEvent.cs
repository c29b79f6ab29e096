namespace Danbao.Data.Audit;

/// <summary>
/// One audited action. <c>BeforeJson</c>, <c>AfterJson</c> and <c>DetailJson</c> are JSON
/// documents (stored as jsonb) or null.
/// </summary>
public sealed record AuditEvent
{
    public long Id { get; init; }
    public required string SubjectType { get; init; }
    public required string SubjectId { get; init; }
    public required string Action { get; init; }
    public required string ActorInstitution { get; init; }
    public required string ActorRole { get; init; }
    public string? ActorKeyId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public DateOnly? BusinessDate { get; init; }
    public string? RequestId { get; init; }
    public string? BeforeJson { get; init; }
    public string? AfterJson { get; init; }
    public string? DetailJson { get; init; }
}

/// <summary>A page of events, oldest first; pass <see cref="NextAfterId"/> back to continue (null: no more).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, long? NextAfterId);
