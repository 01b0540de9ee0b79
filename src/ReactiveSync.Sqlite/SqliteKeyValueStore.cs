using System.Reactive.Concurrency;
using Microsoft.Data.Sqlite;
using ReactiveSync.Storage;

namespace ReactiveSync.Sqlite;

/// <summary>
/// The durable <see cref="IKeyValueStore"/>: JSON values by key in a SQLite file (table <c>key_values</c>, WAL,
/// <c>synchronous=FULL</c>), with optional expiry judged by the injected scheduler's clock. Thread-safe; can share
/// a file with the other SQLite stores. Expired values read as absent; their rows stay until overwritten or invalidated.
/// </summary>
public sealed class SqliteKeyValueStore : IKeyValueStore, IAsyncDisposable
{
    /// <summary>The newest schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    private static readonly IReadOnlyList<Action<SqliteConnection>> Migrations =
    [
        connection => SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS key_values (
              key TEXT PRIMARY KEY,
              value TEXT NOT NULL,
              expires_at TEXT
            ) WITHOUT ROWID;
            """),
    ];

    private readonly IScheduler _scheduler;
    private readonly SqliteStoreConnection _database;

    /// <summary>Creates a store over the SQLite file at <paramref name="databasePath"/>, opened on first use.</summary>
    public SqliteKeyValueStore(string databasePath, IScheduler scheduler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        _database = new SqliteStoreConnection(databasePath, "key_values", Migrations, this);
    }

    /// <summary>Opens the file and migrates its schema now rather than on first use.</summary>
    /// <exception cref="SqliteSchemaVersionException">The file was written by a newer schema.</exception>
    /// <exception cref="SqliteDatabaseCorruptException">The file is damaged or not a SQLite database; it is left as it was.</exception>
    /// <exception cref="Model.SyncException">SQLite failed (type Storage, e.g. the disk is full); here and in every other method.</exception>
    public Task OpenAsync(CancellationToken cancellationToken = default) => _database.RunAsync(static _ => 0, cancellationToken);

    /// <inheritdoc/>
    public Task SetAsync(string key, string json, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        ArgumentNullException.ThrowIfNull(json);
        return _database.RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO key_values (key, value, expires_at) VALUES ($k, $v, $e) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at;";
                command.Parameters.AddWithValue("$k", key);
                command.Parameters.AddWithValue("$v", json);
                command.Parameters.AddWithValue("$e", expiresAt is { } at ? SqliteDatabase.ToText(at) : DBNull.Value);
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        return _database.RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT value FROM key_values WHERE key = $k AND (expires_at IS NULL OR expires_at > $now);";
                command.Parameters.AddWithValue("$k", key);
                command.Parameters.AddWithValue("$now", SqliteDatabase.ToText(_scheduler.Now));
                return command.ExecuteScalar() as string;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> InvalidateAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        return _database.RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM key_values WHERE key = $k RETURNING expires_at IS NULL OR expires_at > $now;";
                command.Parameters.AddWithValue("$k", key);
                command.Parameters.AddWithValue("$now", SqliteDatabase.ToText(_scheduler.Now));
                return command.ExecuteScalar() is long live && live != 0;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetKeysAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return _database.RunAsync<IReadOnlyList<string>>(
            connection =>
            {
                // A range scan from the prefix on the primary key; stop at the first key past it.
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT key FROM key_values WHERE key >= $p AND (expires_at IS NULL OR expires_at > $now) ORDER BY key;";
                command.Parameters.AddWithValue("$p", prefix);
                command.Parameters.AddWithValue("$now", SqliteDatabase.ToText(_scheduler.Now));
                using var reader = command.ExecuteReader();
                var keys = new List<string>();
                while (reader.Read())
                {
                    var key = reader.GetString(0);
                    if (!key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        break;
                    }

                    keys.Add(key);
                }

                keys.Sort(StringComparer.Ordinal);
                return keys;
            },
            cancellationToken);
    }

    /// <summary>Closes the connection and releases the file. Safe to call twice.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
