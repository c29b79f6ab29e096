using System.Text.Json;

namespace Danbao.Server.Hosting;

/// <summary>
/// A log record in the JSON console formatter's shape (Timestamp, EventId, LogLevel, Category, Message,
/// Exception), for the one line written when there is no logger to write it: the host failed to start.
/// </summary>
public static class JsonLogRecord
{
    public static string Critical(string category, string message, Exception exception)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", DateTime.UtcNow.ToString(DanbaoHost.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", 0);
            json.WriteString("LogLevel", "Critical");
            json.WriteString("Category", category);
            json.WriteString("Message", $"{message}: {exception.Message}");
            json.WriteString("Exception", exception.ToString());
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
