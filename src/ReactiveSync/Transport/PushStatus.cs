namespace ReactiveSync.Transport;

/// <summary>The server's answer to one pushed operation.</summary>
public enum PushStatus
{
    /// <summary>Applied now.</summary>
    Applied,

    /// <summary>Applied before: the id was seen; the first answer is repeated.</summary>
    Duplicate,

    /// <summary>Not applied: the base version is not the server's; the server's copy comes with it.</summary>
    Conflict,

    /// <summary>Not applied: the server's validation refused it; the error says why.</summary>
    Rejected,
}
