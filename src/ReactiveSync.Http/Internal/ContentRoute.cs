namespace ReactiveSync.Http.Internal;

/// <summary>Checks that a resource id can be one escaped path segment of <c>/sync/content/{id}</c>.</summary>
internal static class ContentRoute
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> for an empty id and for <c>.</c> and <c>..</c>: URI normalization (in .NET's
    /// <see cref="Uri"/> and in servers) turns them, even escaped as <c>%2E</c>, into dot segments that leave the route.
    /// </summary>
    public static void Validate(string resourceId, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId, paramName);
        if (resourceId is "." or "..")
        {
            throw new ArgumentException($"Resource id '{resourceId}' cannot be addressed as a URL path segment.", paramName);
        }
    }
}
