namespace Danbao.Grpc;

/// <summary>Base64 for -bin metadata: we emit unpadded, and accept padded or unpadded, as the spec asks.</summary>
internal static class MetadataBase64
{
    public static string Encode(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    public static bool TryDecode(string value, out byte[] bytes)
    {
        string trimmed = value.Trim();
        int remainder = trimmed.Length % 4;
        string padded = remainder == 0 ? trimmed : trimmed + new string('=', 4 - remainder);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            bytes = Array.Empty<byte>();
            return false;
        }
    }
}
