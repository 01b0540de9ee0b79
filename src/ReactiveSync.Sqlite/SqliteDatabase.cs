using System.Globalization;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;

namespace ReactiveSync.Sqlite;

/// <summary>Shared plumbing for the SQLite stores: connection settings, sortable timestamps, and per-store schema versions.</summary>
internal static class SqliteDatabase
{
    /// <summary>Timestamps are stored as fixed-width ISO-8601 UTC text with 100 ns precision, so text order is time order.</summary>
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Opens a connection for writing: WAL with a full fsync at every commit (durable before acknowledged).</summary>
    public static SqliteConnection OpenWriter(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>Opens a pooled connection for reading; WAL lets it read while the writer writes.</summary>
    public static SqliteConnection OpenReader(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>
    /// Turns a SQLite failure into the library's typed errors, naming the file: a damaged file becomes
    /// <see cref="SqliteDatabaseCorruptException"/>, anything else (disk full, I/O, read-only, locked) a
    /// <see cref="SyncException"/> of type <see cref="SyncErrorType.Storage"/>; SQLite's own error stays the inner exception.
    /// </summary>
    public static Exception Translate(SqliteException exception, string databasePath) => (exception.SqliteErrorCode & 0xFF) switch
    {
        SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB => new SqliteDatabaseCorruptException(databasePath, exception),
        SQLitePCL.raw.SQLITE_FULL => new SyncException(
            SyncError.Of(SyncErrorType.Storage, $"The database '{databasePath}' is full: the disk or the file's size limit leaves no room (SQLITE_FULL). The write was not stored."),
            exception),
        _ => new SyncException(
            SyncError.Of(SyncErrorType.Storage, $"The database '{databasePath}' failed (SQLite error {exception.SqliteErrorCode}): {exception.Message}"),
            exception),
    };

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads a stored timestamp; rows written by the seed may carry other ISO-8601 forms, read as UTC.</summary>
    public static DateTimeOffset FromText(string text) =>
        text.Length == 28 && DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var exact)
            ? new DateTimeOffset(DateTime.SpecifyKind(exact, DateTimeKind.Utc))
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// Brings the schema of one store (<paramref name="component"/>) up to the newest of <paramref name="migrations"/>
    /// (migration i takes version i to i + 1), each in its own transaction. Several stores can share one file:
    /// versions are kept per component in the <c>schema_version</c> table.
    /// </summary>
    /// <exception cref="SqliteSchemaVersionException">The file holds a newer version than the code knows.</exception>
    public static void Migrate(SqliteConnection connection, string databasePath, string component, IReadOnlyList<Action<SqliteConnection>> migrations)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;");
        var version = ReadVersion(connection, component);
        if (version > migrations.Count)
        {
            throw new SqliteSchemaVersionException(databasePath, component, version, migrations.Count);
        }

        for (var v = version; v < migrations.Count; v++)
        {
            Execute(connection, "BEGIN IMMEDIATE;");
            try
            {
                // Read again inside the write lock: another process may have migrated meanwhile.
                if (ReadVersion(connection, component) == v)
                {
                    migrations[v](connection);
                    using var command = connection.CreateCommand();
                    command.CommandText = "INSERT INTO schema_version (component, version) VALUES ($c, $v) ON CONFLICT(component) DO UPDATE SET version = excluded.version;";
                    command.Parameters.AddWithValue("$c", component);
                    command.Parameters.AddWithValue("$v", v + 1);
                    command.ExecuteNonQuery();
                }

                Execute(connection, "COMMIT;");
            }
            catch
            {
                Execute(connection, "ROLLBACK;");
                throw;
            }
        }
    }

    private static int ReadVersion(SqliteConnection connection, string component)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version WHERE component = $c;";
        command.Parameters.AddWithValue("$c", component);
        return command.ExecuteScalar() is long version ? (int)version : 0;
    }
}
