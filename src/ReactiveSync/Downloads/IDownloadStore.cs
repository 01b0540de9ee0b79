namespace ReactiveSync.Downloads;

/// <summary>Port: where the <see cref="ContentDownloadManager"/> keeps the state of its downloads, one row per resource.</summary>
/// <remarks>Each call is its own durable write; implementations are thread-safe.</remarks>
public interface IDownloadStore
{
    /// <summary>Every stored download.</summary>
    Task<IReadOnlyList<DownloadRecord>> GetAllAsync(CancellationToken cancellationToken = default);

    /// <summary>The download of <paramref name="resourceId"/>, or null.</summary>
    Task<DownloadRecord?> GetAsync(string resourceId, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="record"/>, replacing the row of its resource.</summary>
    Task UpsertAsync(DownloadRecord record, CancellationToken cancellationToken = default);

    /// <summary>Removes the download of <paramref name="resourceId"/>; answers whether there was one.</summary>
    Task<bool> RemoveAsync(string resourceId, CancellationToken cancellationToken = default);
}
