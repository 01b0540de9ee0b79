using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReactiveSync.Model;

namespace ReactiveSync.Background;

/// <summary>
/// The engine's <see cref="BackgroundTaskRunner"/>: what each background task type does in a <see cref="SyncEngine"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Sync</b>: <see cref="SyncEngine.SyncNowAsync"/>. Offline, paused, waiting for credentials, or a sync that
/// failed as a whole throw, so the task backs off. The periodic sync is skipped (counted as done) while auto-sync is off.</item>
/// <item><b>Download</b>: <see cref="BackgroundTask.Data"/> is a JSON array of resource ids, handed to the engine's
/// download delegate. Without one the task fails (and backs off) until a download manager is wired; data that is not such
/// an array can never succeed, so it is logged and the task ends.</item>
/// <item><b>Cleanup</b>: the engine's cleanup delegate (removing failed downloads); with none wired there is nothing to
/// clean and the task completes.</item>
/// </list>
/// </remarks>
internal sealed class EngineBackgroundWork(SyncEngine engine, ILogger logger)
{
    /// <summary>The data of a Download task for <paramref name="resourceIds"/>.</summary>
    public static string FormatDownloadData(IEnumerable<string> resourceIds) =>
        JsonSerializer.Serialize(resourceIds.ToArray(), EngineBackgroundJsonContext.Default.StringArray);

    /// <summary>The resource ids of a Download task's data, or null when it is not a JSON array of non-blank strings.</summary>
    public static IReadOnlyList<string>? ParseDownloadData(string? data)
    {
        if (string.IsNullOrWhiteSpace(data))
        {
            return null;
        }

        try
        {
            var ids = JsonSerializer.Deserialize(data, EngineBackgroundJsonContext.Default.StringArray);
            return ids is { Length: > 0 } && ids.All(static id => !string.IsNullOrWhiteSpace(id)) ? ids : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Runs one task; see the type's remarks.</summary>
    public async Task RunAsync(BackgroundTask task, CancellationToken cancellationToken)
    {
        // The service calls us on the thread that made the task runnable (often the scheduler's): leave it at once.
        await Task.Yield();
        switch (task.Type)
        {
            case BackgroundTaskType.Sync:
                await SyncAsync(task, cancellationToken).ConfigureAwait(false);
                break;
            case BackgroundTaskType.Download:
                await DownloadAsync(task, cancellationToken).ConfigureAwait(false);
                break;
            case BackgroundTaskType.Cleanup:
                if (engine.BackgroundCleanup is { } cleanup)
                {
                    await cleanup(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    logger.LogDebug("Background cleanup {TaskId}: no download manager is wired, nothing to clean.", task.Id);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown background task type {task.Type}.");
        }
    }

    private async Task SyncAsync(BackgroundTask task, CancellationToken cancellationToken)
    {
        if (task.IsPeriodic && !engine.Pipeline.CurrentStatus.AutoSyncEnabled)
        {
            logger.LogDebug("Periodic background sync skipped: auto-sync is off.");
            return;
        }

        var result = await engine.SyncNowAsync(cancellationToken).ConfigureAwait(false);
        if (!result.Success)
        {
            throw new SyncException(result.Errors.Count > 0 ? result.Errors[^1] : SyncError.Of(SyncErrorType.Unknown, "The sync failed."));
        }
    }

    private async Task DownloadAsync(BackgroundTask task, CancellationToken cancellationToken)
    {
        if (ParseDownloadData(task.Data) is not { } resourceIds)
        {
            // Never logs the data itself: it is the app's.
            logger.LogError("Background download {TaskId} has no resource ids (its data must be a JSON array of ids); it is dropped.", task.Id);
            return;
        }

        if (engine.BackgroundDownload is not { } download)
        {
            throw new InvalidOperationException("No download manager is wired to the engine; the download waits and is retried.");
        }

        await download(resourceIds, task.Priority, cancellationToken).ConfigureAwait(false);
    }
}
