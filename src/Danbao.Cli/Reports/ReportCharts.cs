using ScottPlot;

namespace Danbao.Cli.Reports;

/// <summary>A named series of values, one per category (a quarter) or per date.</summary>
internal sealed record Series(string Name, double[] Values);

/// <summary>
/// The report's charts as PNG (ScottPlot 5): bars by quarter and lines over dates. Labels are bilingual when a
/// CJK font is registered (<see cref="CjkFont"/>), English otherwise. Amounts are drawn in 万元 (10,000 yuan);
/// the tables beneath carry the exact figures.
/// </summary>
internal sealed class ReportCharts(bool cjk)
{
    public const int Width = 960;
    public const int Height = 400;

    /// <summary>"中文 English" with a CJK font, else the English alone.</summary>
    public string Label(string chinese, string english) => cjk ? $"{chinese} {english}" : english;

    /// <summary>Grouped bars: one group per category, one bar per series, with a legend when there are several series.</summary>
    public byte[] Bars(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<Series> series)
    {
        var plot = NewPlot(title, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(1, series.Count);
        for (var s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
            {
                bars.Add(new Bar
                {
                    Position = c - groupWidth / 2 + barWidth * (s + 0.5),
                    Value = series[s].Values[c],
                    Size = barWidth * 0.9,
                    FillColor = color,
                    LineWidth = 0,
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = series[s].Name;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        if (series.Count > 1)
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }
        return Png(plot);
    }

    /// <summary>Lines over dates; series whose name is in <paramref name="dashed"/> are drawn dashed (the limits).</summary>
    public byte[] Lines(string title, string yLabel, IReadOnlyList<DateOnly> dates, IReadOnlyList<Series> series, ISet<string> dashed)
    {
        var plot = NewPlot(title, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var xs = dates.Select(d => (double)d.DayNumber).ToArray();
        for (var s = 0; s < series.Count; s++)
        {
            var line = plot.Add.Scatter(xs, series[s].Values);
            line.LegendText = series[s].Name;
            line.Color = palette.GetColor(s / 2);
            line.LineWidth = 2;
            line.MarkerSize = 5;
            if (dashed.Contains(series[s].Name))
            {
                line.LinePattern = LinePattern.Dashed;
            }
        }
        // The dates themselves as ticks (month-ends), in the report's YYYY-MM-DD.
        plot.Axes.Bottom.SetTicks(xs, dates.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.ShowLegend(Alignment.UpperLeft);
        return Png(plot);
    }

    private Plot NewPlot(string title, string yLabel)
    {
        var plot = new Plot();
        if (cjk)
        {
            plot.Font.Set(CjkFont.Family);
            plot.Legend.FontName = CjkFont.Family;
        }
        plot.Title(title);
        plot.YLabel(yLabel);
        return plot;
    }

    private static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);
}
