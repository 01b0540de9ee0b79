namespace ReactiveSync.Server.Storage;

/// <summary>
/// Stored content opened for reading: its description and a stream of exactly those bytes (a concurrent PUT
/// never changes what an open reader reads). Dispose it to close the stream.
/// </summary>
public sealed class ContentReader : IAsyncDisposable, IDisposable
{
    /// <summary>Creates a reader over <paramref name="content"/> described by <paramref name="info"/>.</summary>
    /// <param name="info">The description of the content.</param>
    /// <param name="content">A readable, seekable stream of the content.</param>
    public ContentReader(StoredContent info, Stream content)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(content);
        Info = info;
        Content = content;
    }

    /// <summary>The description of the content (size, ETag, type).</summary>
    public StoredContent Info { get; }

    /// <summary>The bytes; readable and seekable.</summary>
    public Stream Content { get; }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    /// <inheritdoc/>
    public void Dispose() => Content.Dispose();
}
