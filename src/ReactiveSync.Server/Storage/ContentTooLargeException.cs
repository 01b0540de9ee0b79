namespace ReactiveSync.Server.Storage;

/// <summary>Thrown by a store when content passes the size limit; nothing is stored.</summary>
public sealed class ContentTooLargeException : Exception
{
    /// <summary>Creates the exception for a limit of <paramref name="limit"/> bytes.</summary>
    /// <param name="limit">The size limit in bytes.</param>
    public ContentTooLargeException(long limit)
        : base($"The content is larger than the limit of {limit} bytes.")
    {
        Limit = limit;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ContentTooLargeException()
        : base("The content is larger than the limit.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ContentTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ContentTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The size limit in bytes, when known.</summary>
    public long Limit { get; }
}
