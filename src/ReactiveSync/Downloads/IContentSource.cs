namespace ReactiveSync.Downloads;

/// <summary>
/// Port: reads a resource's content from the server, from the start or resuming at an offset.
/// Implementations throw <see cref="Model.SyncException"/> with a classified error for every failure,
/// including failures while the returned content stream is read.
/// </summary>
public interface IContentSource
{
    /// <summary>Asks for the content's size and entity tag without transferring it (an HTTP <c>HEAD</c>).</summary>
    /// <param name="resourceId">The resource whose content is asked for.</param>
    /// <param name="cancellationToken">Cancels the request; the <see cref="OperationCanceledException"/> propagates.</param>
    Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the content for reading from <paramref name="offset"/>. The server may answer with the whole content
    /// instead (when <paramref name="ifRangeETag"/> no longer matches, or it cannot serve a range): check
    /// <see cref="ContentResponse.Offset"/> and restart from byte 0 when it is 0 but <paramref name="offset"/> was not.
    /// </summary>
    /// <param name="resourceId">The resource whose content is read.</param>
    /// <param name="offset">The first byte wanted; 0 for the whole content.</param>
    /// <param name="ifRangeETag">The entity tag of the bytes already held (quoted, as the server sent it); a range is only asked for against a strong one.</param>
    /// <param name="cancellationToken">Cancels opening; reads pass their own token.</param>
    Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken);
}
