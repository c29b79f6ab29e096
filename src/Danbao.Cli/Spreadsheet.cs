using System.Globalization;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;

namespace Danbao.Cli;

/// <summary>
/// XLSX exports with MiniExcel, typed for a finance official: a `*_fen` column becomes a number in
/// yuan (`amount_fen` → `amount_yuan`, format #,##0.00, so SUM works), a `*_date` column a real date,
/// whole numbers numbers; a styled header, the first row frozen, and a totals row under the yuan columns.
/// </summary>
public static class Spreadsheet
{
    public static void Write(string path, string sheetName, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var names = header.Select(h => h.EndsWith("_fen", StringComparison.Ordinal) ? h[..^4] + "_yuan" : h).ToArray();
        // A header that was in fen already has a yuan twin in some exports (amount_fen and amount_yuan): keep one.
        var keep = Enumerable.Range(0, header.Count).Where(i => Array.IndexOf(names, names[i]) == i).ToArray();
        var yuanTotalsFen = new long[header.Count];
        var sheet = new List<IDictionary<string, object?>>();
        foreach (var row in rows)
        {
            var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var i in keep)
            {
                var text = i < row.Count ? row[i] : "";
                cells[names[i]] = Cell(header[i], text, ref yuanTotalsFen[i]);
            }
            sheet.Add(cells);
        }
        var totals = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var i in keep)
        {
            totals[names[i]] = header[i].EndsWith("_fen", StringComparison.Ordinal) ? yuanTotalsFen[i] / 100m : null;
        }
        totals[names[keep[0]]] = $"total ({sheet.Count} rows)";
        sheet.Add(totals);

        var configuration = new OpenXmlConfiguration
        {
            FreezeRowCount = 1,
            TableStyles = TableStyles.Default,
            FastMode = true, // needed for auto width; the rows are in memory anyway
            EnableAutoWidth = true,
            DynamicColumns = keep.Select(i => Column(header[i], names[i])).Where(c => c is not null).Select(c => c!).ToArray(),
        };
        MiniExcel.SaveAs(path, sheet, sheetName: sheetName, excelType: ExcelType.XLSX, configuration: configuration, overwriteFile: true);
    }

    private static object? Cell(string header, string text, ref long totalFen)
    {
        if (text.Length == 0)
        {
            return null;
        }
        if (header.EndsWith("_fen", StringComparison.Ordinal) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fen))
        {
            totalFen += fen;
            return fen / 100m;
        }
        if (header.EndsWith("_date", StringComparison.Ordinal)
            && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(TimeOnly.MinValue);
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) && !text.StartsWith('0') || text == "0"
            ? whole
            : text;
    }

    private static DynamicExcelColumn? Column(string header, string name) =>
        header.EndsWith("_fen", StringComparison.Ordinal) ? new DynamicExcelColumn(name) { Format = "#,##0.00", Width = 16 }
        : header.EndsWith("_date", StringComparison.Ordinal) ? new DynamicExcelColumn(name) { Format = "yyyy-MM-dd", Width = 12 }
        : null;
}
