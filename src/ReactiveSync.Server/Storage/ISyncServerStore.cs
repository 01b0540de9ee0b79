using ReactiveSync.Server.Protocol;

namespace ReactiveSync.Server.Storage;

/// <summary>
/// The server's storage of resources, the idempotency (dedupe) records, the global change sequence and content.
/// Implementations are thread-safe.
/// </summary>
public interface ISyncServerStore
{
    /// <summary>
    /// Applies <paramref name="operations"/> in order and answers one result per operation, in the same order.
    /// </summary>
    /// <remarks>
    /// A replayed (clientId, operation id) is answered <see cref="PushOperationStatus.Duplicate"/> with the fields of
    /// the first answer and changes nothing. Only <c>applied</c> answers are recorded: a <c>conflict</c> or
    /// <c>rejected</c> answer changed nothing, so a replay of it is evaluated again (and, as long as the server copy
    /// did not move, answered the same). The dedupe record is written in the same transaction as the change.
    /// <paramref name="validate"/> returns an error message to reject an operation, or null; it is called for
    /// operations that are not duplicates.
    /// </remarks>
    /// <param name="clientId">The sending client.</param>
    /// <param name="operations">The operations; each needs an id, a resource type and a resource id.</param>
    /// <param name="validate">The validation hook, or null.</param>
    /// <param name="cancellationToken">Cancels before anything is written.</param>
    /// <returns>One result per operation.</returns>
    ValueTask<IReadOnlyList<PushOperationResult>> PushAsync(
        string clientId,
        IReadOnlyList<PushOperation> operations,
        Func<PushOperation, string?>? validate,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers resources whose latest change has a sequence above <paramref name="since"/>, in sequence order, at most
    /// <paramref name="limit"/>, each once at its latest state.
    /// </summary>
    /// <param name="since">The checkpoint: the sequence of the last change the caller has.</param>
    /// <param name="limit">The page size, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page, its checkpoint and whether more follows.</returns>
    ValueTask<PullResponse> PullAsync(long since, int limit, CancellationToken cancellationToken = default);

    /// <summary>Reads one resource, deleted or not; null when it never existed.</summary>
    /// <param name="resourceType">The kind of resource.</param>
    /// <param name="resourceId">The resource's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The resource or null.</returns>
    ValueTask<StoredResource?> GetResourceAsync(string resourceType, string resourceId, CancellationToken cancellationToken = default);

    /// <summary>Reads the answer recorded for (clientId, operation id) when it was applied; null when none is recorded.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The first answer, or null.</returns>
    ValueTask<PushOperationResult?> GetRecordedResultAsync(string clientId, Guid operationId, CancellationToken cancellationToken = default);

    /// <summary>Counts the dedupe records (operations applied once), of one client or of all when null.</summary>
    /// <param name="clientId">The client, or null for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The count.</returns>
    ValueTask<long> CountRecordedOperationsAsync(string? clientId = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the last value of the global change sequence (0 before any change).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sequence.</returns>
    ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="content"/> as the content of <paramref name="resourceId"/>, replacing any before, and
    /// gives every resource with that id the next change sequence so a pull shows its content info.
    /// </summary>
    /// <remarks>No resource row is created: content info shows in pull once a resource with that id exists.</remarks>
    /// <param name="resourceId">The resource id.</param>
    /// <param name="content">The bytes, read to the end.</param>
    /// <param name="contentType">The media type to store, or null.</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <param name="cancellationToken">Cancels; nothing is stored then.</param>
    /// <returns>The stored content's description.</returns>
    /// <exception cref="ContentTooLargeException">The content is larger than <paramref name="maxBytes"/>; nothing is stored.</exception>
    ValueTask<StoredContent> PutContentAsync(
        string resourceId,
        Stream content,
        string? contentType,
        long maxBytes,
        CancellationToken cancellationToken = default);

    /// <summary>Opens the content stored for <paramref name="resourceId"/>; null when none.</summary>
    /// <param name="resourceId">The resource id.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>A reader the caller disposes, or null.</returns>
    ValueTask<ContentReader?> OpenContentAsync(string resourceId, CancellationToken cancellationToken = default);
}
