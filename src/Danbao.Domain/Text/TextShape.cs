namespace Danbao.Domain.Text;

/// <summary>Whether a text field may hold line breaks and tabs.</summary>
public enum TextShape
{
    /// <summary>Names, ids, codes: no control character at all.</summary>
    SingleLine,

    /// <summary>Reasons, notes, sources: tab, LF and CR allowed; every other control character refused.</summary>
    MultiLine,
}
