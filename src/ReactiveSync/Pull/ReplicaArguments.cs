namespace ReactiveSync.Pull;

/// <summary>Argument checks shared by the replica stores, so every store rejects the same rows the same way.</summary>
internal static class ReplicaArguments
{
    public static void Validate(ReplicaResource? resource, string parameterName)
    {
        if (resource is null)
        {
            throw new ArgumentNullException(parameterName, "A replica resource is required.");
        }

        if (!resource.ResourceType.IsValid)
        {
            throw new ArgumentException("The resource type (ResourceType) is invalid.", parameterName);
        }

        if (string.IsNullOrEmpty(resource.ResourceId))
        {
            throw new ArgumentException("The resource id (ResourceId) is required.", parameterName);
        }

        if (resource.Version < 0)
        {
            throw new ArgumentException($"The version (Version) must not be negative; got {resource.Version}.", parameterName);
        }

        if (resource.ContentSize is < 0)
        {
            throw new ArgumentException($"The content size (ContentSize) must not be negative; got {resource.ContentSize}.", parameterName);
        }
    }
}
