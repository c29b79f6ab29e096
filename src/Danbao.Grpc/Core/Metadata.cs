using System.Collections;

namespace Danbao.Grpc;

/// <summary>
/// gRPC metadata (headers or trailers): an ordered list of key/value entries. Keys are
/// case-insensitive (stored lower-case); keys ending in <c>-bin</c> carry binary values, which
/// travel base64-encoded on the wire.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    /// <summary>Suffix that marks a binary-valued key.</summary>
    public const string BinarySuffix = "-bin";

    /// <summary>Upper bound on entries, so a hostile peer cannot make us build a huge list.</summary>
    public const int EntryCountMax = 1024;

    private readonly List<Entry> _entries = new();

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public Entry this[int index] => _entries[index];

    /// <summary>Adds an ASCII string entry. The key must not end in <c>-bin</c>.</summary>
    public Metadata Add(string key, string value)
    {
        string normalized = NormalizeKey(key);
        if (IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Key '{key}' ends in -bin and needs a byte[] value.", nameof(key));
        }
        ArgumentNullException.ThrowIfNull(value);
        foreach (char c in value)
        {
            // HTTP/2 header values must be visible ASCII or space; anything else needs a -bin key.
            if (c < 0x20 || c > 0x7E)
            {
                throw new ArgumentException($"Metadata value for '{key}' must be printable ASCII; use a -bin key for other data.", nameof(value));
            }
        }
        AddEntry(new Entry(normalized, value, null));
        return this;
    }

    /// <summary>Adds a binary entry. The key must end in <c>-bin</c>.</summary>
    public Metadata Add(string key, byte[] value)
    {
        string normalized = NormalizeKey(key);
        if (!IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Binary metadata key '{key}' must end in -bin.", nameof(key));
        }
        ArgumentNullException.ThrowIfNull(value);
        AddEntry(new Entry(normalized, null, value));
        return this;
    }

    /// <summary>The last string value for <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            Entry e = _entries[i];
            if (!e.IsBinary && string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return e.Value;
            }
        }
        return null;
    }

    /// <summary>The last binary value for <paramref name="key"/> (which ends in -bin), or null.</summary>
    public byte[]? GetBytes(string key)
    {
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            Entry e = _entries[i];
            if (e.IsBinary && string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return e.ValueBytes;
            }
        }
        return null;
    }

    /// <summary>All entries with <paramref name="key"/>, in order.</summary>
    public IEnumerable<Entry> GetAll(string key) =>
        _entries.Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when any entry has <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) =>
        _entries.Exists(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when <paramref name="key"/> names a binary entry.</summary>
    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void AddEntry(Entry entry)
    {
        if (_entries.Count >= EntryCountMax)
        {
            throw new InvalidOperationException($"Metadata holds at most {EntryCountMax} entries.");
        }
        _entries.Add(entry);
    }

    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        string lower = key.ToLowerInvariant();
        foreach (char c in lower)
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';
            if (!ok)
            {
                throw new ArgumentException($"Metadata key '{key}' may hold only a-z 0-9 - _ .", nameof(key));
            }
        }
        return lower;
    }

    /// <summary>One metadata entry: a string value or, for -bin keys, a byte value.</summary>
    public sealed class Entry
    {
        internal Entry(string key, string? value, byte[]? valueBytes)
        {
            Key = key;
            Value = value;
            ValueBytes = valueBytes;
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>The string value (null for binary entries).</summary>
        public string? Value { get; }

        /// <summary>The binary value (null for string entries).</summary>
        public byte[]? ValueBytes { get; }

        /// <summary>True for -bin entries.</summary>
        public bool IsBinary => ValueBytes is not null;

        /// <inheritdoc />
        public override string ToString() => IsBinary ? $"{Key}: <{ValueBytes!.Length} bytes>" : $"{Key}: {Value}";
    }
}
