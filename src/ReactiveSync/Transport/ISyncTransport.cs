using ReactiveSync.Model;

namespace ReactiveSync.Transport;

/// <summary>
/// Port: carries the sync protocol to a server. Implementations throw <see cref="SyncException"/> with a classified
/// <see cref="SyncError"/> for every failure, so the pipeline can decide between retry, pause and fail.
/// </summary>
public interface ISyncTransport
{
    /// <summary>
    /// The server clock minus the client clock, learned from the server's <c>Date</c> headers; zero until known.
    /// </summary>
    TimeSpan ServerClockOffset { get; }

    /// <summary>Pushes a batch; answers one result per operation, in the order sent.</summary>
    Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken);

    /// <summary>Pulls server changes after <paramref name="checkpoint"/> (null: from the start), at most <paramref name="limit"/>.</summary>
    Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken);

    /// <summary>Uploads a resource's content (an Upload operation's file), replacing what the server had.</summary>
    Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken);
}
