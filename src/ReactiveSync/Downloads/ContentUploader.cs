using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Downloads;

/// <summary>
/// Streams an Upload operation's local file to the server's content endpoint; the pipeline calls
/// <see cref="UploadAsync"/> just before it pushes the operation, and pushes the operation it answers.
/// </summary>
/// <remarks>
/// <para>Where the file is: an Upload operation's data is <c>{"localContent": {"path": "/abs/file", "contentType": "image/png"}, ...metadata}</c>
/// (make it with <see cref="CreateOperationData"/>). <c>localContent</c> is a local detail: <see cref="UploadAsync"/> answers the
/// operation with it removed, so only the metadata is pushed (and merged into the resource by the server).</para>
/// <para>Failures: a missing or unreadable file, or data without <c>localContent.path</c>, throw <see cref="SyncException"/> with
/// a Validation error (not retried; the operation fails with the message); transport failures propagate as the transport
/// classified them, so the operation is retried like any other. Re-uploading after a crash is harmless: a PUT replaces the content.</para>
/// </remarks>
public sealed class ContentUploader
{
    /// <summary>The member of an Upload operation's data that says where the local file is.</summary>
    public const string LocalContentMember = "localContent";

    private readonly ISyncTransport _transport;

    /// <summary>Creates an uploader sending through <paramref name="transport"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> is null.</exception>
    public ContentUploader(ISyncTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
    }

    /// <summary>Makes an Upload operation's data: where the file is, its content type, and the metadata to push with it.</summary>
    /// <exception cref="ArgumentException"><paramref name="localPath"/> is empty or not absolute.</exception>
    public static JsonObject CreateOperationData(string localPath, string? contentType = null, JsonObject? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        if (!Path.IsPathFullyQualified(localPath))
        {
            throw new ArgumentException($"The local path must be absolute; got '{localPath}'.", nameof(localPath));
        }

        var data = metadata is null ? new JsonObject() : (JsonObject)metadata.DeepClone();
        var local = new JsonObject { ["path"] = localPath };
        if (contentType is not null)
        {
            local["contentType"] = contentType;
        }

        data[LocalContentMember] = local;
        return data;
    }

    /// <summary>The metadata an Upload operation's data carries for the server: the data without <see cref="LocalContentMember"/>.</summary>
    public static JsonNode? MetadataOf(JsonNode? data)
    {
        if (data is not JsonObject obj || !obj.ContainsKey(LocalContentMember))
        {
            return data?.DeepClone();
        }

        var copy = (JsonObject)obj.DeepClone();
        copy.Remove(LocalContentMember);
        return copy;
    }

    /// <summary>
    /// Uploads the file named by an Upload operation's data to <c>PUT /sync/content/{resourceId}</c>, then answers the
    /// operation to push: the same one with <see cref="LocalContentMember"/> removed from its data. Other operation types
    /// are answered unchanged without uploading.
    /// </summary>
    /// <exception cref="SyncException">Validation: the data names no file, or it cannot be read. Otherwise as the transport throws.</exception>
    public async Task<OfflineOperation> UploadAsync(OfflineOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Type != OperationType.Upload)
        {
            return operation;
        }

        var (path, contentType) = ReadLocalContent(operation);
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SyncException(SyncError.Of(SyncErrorType.Validation, $"The file of upload {operation.Id} cannot be read: {ex.Message}"), ex);
        }

        await using (file.ConfigureAwait(false))
        {
            await _transport.UploadContentAsync(operation.ResourceId, file, contentType, cancellationToken).ConfigureAwait(false);
        }

        return operation with { Data = MetadataOf(operation.Data) };
    }

    private static (string Path, string? ContentType) ReadLocalContent(OfflineOperation operation)
    {
        if (operation.Data is JsonObject data
            && data[LocalContentMember] is JsonObject local
            && local["path"] is JsonValue pathValue
            && pathValue.TryGetValue<string>(out var path)
            && Path.IsPathFullyQualified(path))
        {
            string? contentType = local["contentType"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var type) ? type : null;
            return (path, contentType);
        }

        throw new SyncException(SyncError.Of(
            SyncErrorType.Validation,
            $"Upload {operation.Id} names no file: its data needs {{\"{LocalContentMember}\": {{\"path\": \"<absolute path>\"}}}}."));
    }
}
