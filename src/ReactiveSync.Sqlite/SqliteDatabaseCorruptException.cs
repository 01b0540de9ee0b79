namespace ReactiveSync.Sqlite;

/// <summary>
/// Thrown when a database file is not a SQLite database or is damaged (SQLite's <c>SQLITE_CORRUPT</c> or
/// <c>SQLITE_NOTADB</c>). The store writes nothing to the file and releases it, so it is left as it was for recovery:
/// move it aside (keep it; the <c>sqlite3</c> shell's <c>.recover</c> may save its rows) and open a new file.
/// </summary>
public sealed class SqliteDatabaseCorruptException : Exception
{
    /// <summary>Creates the exception for <paramref name="databasePath"/>, with SQLite's own error as the inner exception.</summary>
    public SqliteDatabaseCorruptException(string databasePath, Exception? innerException = null)
        : base(
            $"The database file '{databasePath}' is damaged or is not a SQLite database ({innerException?.Message ?? "no detail"}). " +
            "It was left untouched: move it aside for recovery and start with a new file.",
            innerException)
    {
        DatabasePath = databasePath;
    }

    /// <summary>The damaged file.</summary>
    public string DatabasePath { get; }
}
