namespace ReactiveSync.Storage;

/// <summary>Argument checks shared by every <see cref="IKeyValueStore"/>, so all reject the same keys.</summary>
internal static class KeyValueStoreArguments
{
    /// <summary>The longest key accepted.</summary>
    public const int MaxKeyLength = 512;

    public static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A key must have 1 to {MaxKeyLength} characters; got {key.Length}.", nameof(key));
        }
    }
}
