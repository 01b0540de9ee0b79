namespace ReactiveSync.Model;

/// <summary>Thrown by transports and the engine for a classified sync failure; <see cref="Error"/> says what kind.</summary>
public sealed class SyncException : Exception
{
    /// <summary>Creates an exception carrying a classified error.</summary>
    public SyncException(SyncError error, Exception? innerException = null)
        : base((error ?? throw new ArgumentNullException(nameof(error))).Message, innerException)
    {
        Error = error;
    }

    /// <summary>The classified error.</summary>
    public SyncError Error { get; }
}
