namespace ReactiveSync.Downloads;

/// <summary>
/// An open content transfer: the bytes from <see cref="Offset"/> on, and what the server said about them.
/// Dispose it to release the connection, whether or not the stream was read to the end.
/// </summary>
public sealed class ContentResponse : IAsyncDisposable
{
    private readonly IDisposable? _owner;
    private int _disposed;

    /// <summary>Creates a response over <paramref name="content"/>; <paramref name="owner"/> (e.g. the HTTP response) is disposed with it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="totalLength"/> is negative.</exception>
    public ContentResponse(
        Stream content,
        long offset,
        long? totalLength,
        string? eTag,
        bool isStrongETag,
        bool isPartial,
        IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (totalLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalLength), totalLength, "The total length cannot be negative.");
        }

        Content = content;
        Offset = offset;
        TotalLength = totalLength;
        ETag = eTag;
        IsStrongETag = isStrongETag;
        IsPartial = isPartial;
        _owner = owner;
    }

    /// <summary>The bytes, starting at <see cref="Offset"/>; read it once, forward only.</summary>
    public Stream Content { get; }

    /// <summary>Where <see cref="Content"/> starts in the whole content; 0 when the server sent the whole content instead of the range.</summary>
    public long Offset { get; }

    /// <summary>The size of the whole content, when the server said.</summary>
    public long? TotalLength { get; }

    /// <summary>The entity tag of the content served, quotes included; null when none.</summary>
    public string? ETag { get; }

    /// <summary>Whether <see cref="ETag"/> is a strong validator (usable to resume later).</summary>
    public bool IsStrongETag { get; }

    /// <summary>Whether the server answered with a range (206) rather than the whole content.</summary>
    public bool IsPartial { get; }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Content.DisposeAsync().ConfigureAwait(false);
        _owner?.Dispose();
    }
}
