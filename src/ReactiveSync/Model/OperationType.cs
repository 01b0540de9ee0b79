namespace ReactiveSync.Model;

/// <summary>What an offline operation does to its resource (the seed's <c>OperationType</c>).</summary>
public enum OperationType
{
    /// <summary>Creates a new resource; its id is made by the client.</summary>
    Create,

    /// <summary>Changes fields of an existing resource; the data is a JSON merge patch (RFC 7386).</summary>
    Update,

    /// <summary>Deletes an existing resource.</summary>
    Delete,

    /// <summary>Uploads a file or media for a resource.</summary>
    Upload,

    /// <summary>Downloads content of a resource for offline use.</summary>
    Download,
}
