namespace Danbao.Domain.Subsidy;

/// <summary>Why days earn no subsidy.</summary>
public enum SubsidyExclusionReason
{
    /// <summary>The loan was overdue on these days (逾期): never subsidised.</summary>
    Overdue,

    /// <summary>The loan was in an extension (展期): not subsidised unless SUBSIDY_DURING_EXTENSION.</summary>
    Extension,
}

/// <summary>A span of days [Start, End) with its reason for exclusion.</summary>
public sealed record SubsidyExclusion(DateRange Range, SubsidyExclusionReason Reason);
