using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>
/// The seed's listener: callbacks for each event, all optional (default no-ops), added with
/// <c>SyncEngine.AddSyncListener</c>. Called one at a time, on the thread that raised the event; an exception from a
/// callback is logged and does not reach the engine or other listeners.
/// </summary>
public interface ISyncEventListener
{
    /// <summary>A sync started.</summary>
    void OnSyncStarted()
    {
    }

    /// <summary>A sync ended (also after a failure, with <see cref="SyncResult.Success"/> false).</summary>
    void OnSyncCompleted(SyncResult result)
    {
    }

    /// <summary>A whole push failed.</summary>
    void OnSyncFailed(SyncError error)
    {
    }

    /// <summary>An operation was committed to the queue.</summary>
    void OnOperationQueued(OfflineOperation operation)
    {
    }

    /// <summary>The server answered an operation with a conflict.</summary>
    void OnConflictDetected(SyncConflict conflict)
    {
    }

    /// <summary>Offline content would exceed the storage quota.</summary>
    void OnStorageQuotaExceeded(long usageBytes, long limitBytes)
    {
    }

    /// <summary>The server became reachable or unreachable.</summary>
    void OnNetworkStatusChanged(bool isOnline)
    {
    }

    /// <summary>The server refused the credentials; sync waits for renewed ones.</summary>
    void OnAuthenticationRequired(SyncError error)
    {
    }
}
