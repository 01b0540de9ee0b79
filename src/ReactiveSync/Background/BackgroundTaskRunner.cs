namespace ReactiveSync.Background;

/// <summary>
/// Does the work of a background task (the engine supplies it: sync, download, cleanup). Completing counts as success,
/// throwing as failure (retried with backoff). When <paramref name="cancellationToken"/> fires the task's constraints
/// stopped holding or the app cancelled it: stop promptly; the task is then rescheduled without counting a failure.
/// It is called on the service's scheduler and nothing else runs until its task completes, so return quickly and do the
/// work asynchronously.
/// </summary>
/// <param name="task">The task to run, as it stands at the start of this run.</param>
/// <param name="cancellationToken">Cancelled when the run must stop.</param>
public delegate Task BackgroundTaskRunner(BackgroundTask task, CancellationToken cancellationToken);
