using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>
/// The server refused the credentials: the queue is paused, nothing was dropped and no retry was used. It resumes when
/// the token provider's <c>Renewed</c> emits or the app calls <c>SyncEngine.NotifyCredentialsRenewed</c>.
/// </summary>
/// <param name="Error">The authentication error.</param>
public sealed record AuthenticationRequired(SyncError Error) : SyncEvent;
