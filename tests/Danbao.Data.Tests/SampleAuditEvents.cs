using Danbao.Data.Audit;

namespace Danbao.Data.Tests;

/// <summary>An audit event of a bank's write, to stand for any queued effect in session tests.</summary>
internal static class SampleAuditEvents
{
    public static AuditEvent For(string subjectId, string subjectType = "loan", string action = "loan.test") => new()
    {
        SubjectType = subjectType,
        SubjectId = subjectId,
        Action = action,
        ActorInstitution = "icbc-gz",
        ActorRole = "bank",
        OccurredAt = new DateTimeOffset(2025, 6, 1, 2, 0, 0, TimeSpan.Zero),
        RequestId = "req-" + subjectId,
    };
}
