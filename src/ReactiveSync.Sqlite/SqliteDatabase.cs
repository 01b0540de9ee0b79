using System.Globalization;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;

namespace ReactiveSync.Sqlite;

/// <summary>Shared plumbing for the SQLite stores: connection settings, sortable timestamps, and per-store schema versions.</summary>
internal static class SqliteDatabase
{
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
        return Open(connectionString, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY;");
    }

    /// <summary>Opens a pooled connection for reading; WAL lets it read while the writer writes.</summary>
    public static SqliteConnection OpenReader(string connectionString)
    {
        return Open(connectionString, "PRAGMA busy_timeout=30000;");
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

    // A file that is not a database opens fine and fails on its first statement: close it then, or the file stays
    // open (and locked on Windows) until the garbage collector finds the connection.
    private static SqliteConnection Open(string connectionString, string pragmas)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, pragmas);
            return connection;
        }
        catch
        {
            SqliteConnection.ClearPool(connection);
            connection.Dispose();
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Timestamps are stored as fixed-width ISO-8601 UTC text with 100 ns precision (<c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>), so text order is time order.</summary>
    public static string ToText(DateTimeOffset value)
    {
        // Hand-written: the custom-format ToString showed in insert throughput.
        var utc = value.UtcDateTime;
        return string.Create(28, utc, static (span, t) =>
        {
            Digits(span[..4], t.Year);
            span[4] = '-';
            Digits(span.Slice(5, 2), t.Month);
            span[7] = '-';
            Digits(span.Slice(8, 2), t.Day);
            span[10] = 'T';
            Digits(span.Slice(11, 2), t.Hour);
            span[13] = ':';
            Digits(span.Slice(14, 2), t.Minute);
            span[16] = ':';
            Digits(span.Slice(17, 2), t.Second);
            span[19] = '.';
            Digits(span.Slice(20, 7), (int)(t.Ticks % TimeSpan.TicksPerSecond));
            span[27] = 'Z';
        });
    }

    private static void Digits(Span<char> span, int value)
    {
        for (var i = span.Length - 1; i >= 0; i--)
        {
            span[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryParseFixed(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != 28 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[27] != 'Z')
        {
            return false;
        }

        static int Number(string s, int start, int length)
        {
            var n = 0;
            for (var i = start; i < start + length; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9)
                {
                    return -1;
                }

                n = (n * 10) + d;
            }

            return n;
        }

        int year = Number(text, 0, 4), month = Number(text, 5, 2), day = Number(text, 8, 2);
        int hour = Number(text, 11, 2), minute = Number(text, 14, 2), second = Number(text, 17, 2), fraction = Number(text, 20, 7);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23
            || minute is < 0 or > 59 || second is < 0 or > 59 || fraction < 0)
        {
            return false;
        }

        value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction));
        return true;
    }

    /// <summary>Reads a stored timestamp; rows written by the seed may carry other ISO-8601 forms, read as UTC.</summary>
    public static DateTimeOffset FromText(string text) =>
        TryParseFixed(text, out var value)
            ? value
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
