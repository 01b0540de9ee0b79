namespace ReactiveSync.Sqlite;

/// <summary>
/// Thrown when a database file carries a newer schema than this version of ReactiveSync knows (it was written by a
/// newer app version). Nothing is changed in the file; upgrade the app or use another file.
/// </summary>
public sealed class SqliteSchemaVersionException : Exception
{
    /// <summary>Creates the exception for <paramref name="component"/> in <paramref name="databasePath"/>.</summary>
    public SqliteSchemaVersionException(string databasePath, string component, int foundVersion, int supportedVersion)
        : base($"The '{component}' schema in '{databasePath}' is version {foundVersion}, newer than the newest this code knows ({supportedVersion}). Upgrade ReactiveSync to open it.")
    {
        DatabasePath = databasePath;
        Component = component;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The store whose schema is too new, e.g. <c>operations</c>.</summary>
    public string Component { get; }

    /// <summary>The version found in the file.</summary>
    public int FoundVersion { get; }

    /// <summary>The newest version this code can open.</summary>
    public int SupportedVersion { get; }
}
