namespace ReactiveSync.Server.Storage;

/// <summary>The server's database file was written by a newer version of this package; it is left as it was.</summary>
public sealed class SyncServerSchemaException : Exception
{
    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    public SyncServerSchemaException(string path, long foundVersion, long supportedVersion)
        : base($"The server database '{path}' has schema version {foundVersion}; this version of ReactiveSync.Server reads up to {supportedVersion}. Upgrade the package, or use another file.")
    {
        Path = path;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The schema version found in the file.</summary>
    public long FoundVersion { get; }

    /// <summary>The newest schema version this package reads.</summary>
    public long SupportedVersion { get; }
}
