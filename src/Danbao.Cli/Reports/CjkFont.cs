using ScottPlot;
using SkiaSharp;

namespace Danbao.Cli.Reports;

/// <summary>
/// A CJK font for the charts' Chinese labels. ScottPlot's Linux SkiaSharp build has no fontconfig, so
/// system fonts are not found by name: the font file is loaded directly (Debian's fonts-noto-cjk, or
/// the file DANBAO_CJK_FONT names) and served to ScottPlot under <see cref="Family"/>.
/// </summary>
internal sealed class CjkFont : IFontResolver
{
    public const string Family = "Noto Sans CJK SC";

    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    ];

    private static readonly object Gate = new();
    private static CjkFont? _registered;

    private readonly SKTypeface _regular;
    private readonly SKTypeface _bold;

    private CjkFont(SKTypeface regular, SKTypeface bold)
    {
        _regular = regular;
        _bold = bold;
    }

    /// <summary>Registers the font with ScottPlot once; false when no CJK font file is found (labels then stay in English).</summary>
    public static bool Register(Func<string, string?> environment)
    {
        lock (Gate)
        {
            if (_registered is not null)
            {
                return true;
            }
            var path = new[] { environment("DANBAO_CJK_FONT") }.Concat(Candidates).FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
            if (path is null || Load(path) is not { } regular)
            {
                return false;
            }
            var boldPath = path.Replace("-Regular.", "-Bold.", StringComparison.Ordinal);
            _registered = new CjkFont(regular, (File.Exists(boldPath) ? Load(boldPath) : null) ?? regular);
            Fonts.FontResolvers.Insert(0, _registered);
            return true;
        }
    }

    /// <summary>The simplified-Chinese face of a collection (.ttc holds JP, KR, SC, TC, HK), else its first face.</summary>
    private static SKTypeface? Load(string path)
    {
        SKTypeface? first = null;
        for (var index = 0; index < 8; index++)
        {
            var face = SKTypeface.FromFile(path, index);
            if (face is null)
            {
                break;
            }
            first ??= face;
            if (face.FamilyName.EndsWith(" SC", StringComparison.Ordinal))
            {
                return face;
            }
        }
        return first;
    }

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == Family ? (bold ? _bold : _regular) : null;

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        CreateTypeface(fontName, (int)weight >= (int)FontWeight.SemiBold, slant != FontSlant.Upright);
}
