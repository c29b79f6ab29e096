using System.Security.Cryptography;
using System.Text;

namespace Danbao.Server.Privacy;

/// <summary>
/// Protects resident ID numbers at rest: AES-256-GCM for the number itself (readable only by the
/// server), and an HMAC-SHA256 "blind index" so the same person can be found across loans (the
/// lifetime loan-count rule) without decrypting anything. The key never touches the database.
/// </summary>
public sealed class IdNumberVault
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _encryptionKey;
    private readonly byte[] _indexKey;

    public IdNumberVault(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("the ID-number master key must be 32 bytes", nameof(masterKey));
        }
        // Two keys derived from one, so the index key cannot decrypt and the cipher key cannot index.
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "danbao id-number encryption"u8.ToArray());
        _indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "danbao id-number index"u8.ToArray());
        PageTokenKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "danbao page tokens"u8.ToArray());
    }

    /// <summary>The key that signs page tokens (Validation.Paging): shared by every instance holding the master key.</summary>
    public byte[] PageTokenKey { get; }

    /// <summary>nonce ‖ ciphertext ‖ tag.</summary>
    public byte[] Encrypt(string idNumber)
    {
        var plain = Encoding.UTF8.GetBytes(idNumber);
        var output = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes, plain.Length), output.AsSpan(NonceBytes + plain.Length));
        return output;
    }

    public string Decrypt(byte[] sealedBytes)
    {
        var plainLength = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[plainLength];
        using var aes = new AesGcm(_encryptionKey, TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plainLength),
            sealedBytes.AsSpan(NonceBytes + plainLength), plain);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The blind index of an ID number (upper-cased, so "x" and "X" check digits agree).</summary>
    public byte[] Index(string idNumber) =>
        HMACSHA256.HashData(_indexKey, Encoding.UTF8.GetBytes(idNumber.ToUpperInvariant()));

    /// <summary>Loads the key from DANBAO_PII_KEY (base64), else from <paramref name="keyFile"/>, creating it for local use.</summary>
    public static IdNumberVault FromEnvironmentOrFile(string? keyFile)
    {
        var fromEnv = Environment.GetEnvironmentVariable("DANBAO_PII_KEY");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return new IdNumberVault(Convert.FromBase64String(fromEnv));
        }
        if (keyFile is null)
        {
            throw new InvalidOperationException("set DANBAO_PII_KEY (32 bytes, base64) to protect ID numbers at rest");
        }
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
            File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return new IdNumberVault(Convert.FromBase64String(File.ReadAllText(keyFile).Trim()));
    }
}
