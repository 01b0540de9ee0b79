using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Sqlite;

/// <summary>
/// The durable <see cref="IDownloadStore"/>: the seed's <c>file_downloads</c> table (id, resource_id, file_url, local_path,
/// file_size, downloaded_size, status, progress, error_message, started_at, completed_at, metadata) plus the columns the
/// manager needs to resume and order (etag, priority, queue_order), in a SQLite file (WAL, <c>synchronous=FULL</c>).
/// Thread-safe; can share a file with the other SQLite stores.
/// </summary>
/// <remarks>As in the seed, <c>file_size</c> is 0 when unknown; it is read back as an unknown size.</remarks>
public sealed class SqliteDownloadStore : IDownloadStore, IAsyncDisposable
{
    /// <summary>The newest schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    private const string Columns = "id, resource_id, file_url, local_path, file_size, downloaded_size, status, error_message, started_at, completed_at, metadata, etag, priority, queue_order";

    private static readonly IReadOnlyList<Action<SqliteConnection>> Migrations =
    [
        connection => SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS file_downloads (
              id TEXT PRIMARY KEY,
              resource_id TEXT NOT NULL UNIQUE,
              file_url TEXT NOT NULL,
              local_path TEXT,
              file_size INTEGER NOT NULL DEFAULT 0,
              downloaded_size INTEGER NOT NULL DEFAULT 0,
              status TEXT NOT NULL DEFAULT 'pending',
              progress REAL NOT NULL DEFAULT 0,
              error_message TEXT,
              started_at TEXT NOT NULL,
              completed_at TEXT,
              metadata TEXT
            );
            ALTER TABLE file_downloads ADD COLUMN etag TEXT;
            ALTER TABLE file_downloads ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE file_downloads ADD COLUMN queue_order INTEGER NOT NULL DEFAULT 0;
            """),
    ];

    private readonly SqliteStoreConnection _database;

    /// <summary>Creates a store over the SQLite file at <paramref name="databasePath"/>, opened on first use.</summary>
    /// <exception cref="ArgumentException"><paramref name="databasePath"/> is empty.</exception>
    public SqliteDownloadStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _database = new SqliteStoreConnection(databasePath, "file_downloads", Migrations, this);
    }

    /// <summary>Opens the file and migrates its schema now rather than on first use.</summary>
    /// <exception cref="SqliteSchemaVersionException">The file was written by a newer schema.</exception>
    public Task OpenAsync(CancellationToken cancellationToken = default) => RunAsync(static _ => 0, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<DownloadRecord>> GetAllAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<DownloadRecord>>(
            static connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM file_downloads ORDER BY queue_order, started_at;";
                using var reader = command.ExecuteReader();
                var rows = new List<DownloadRecord>();
                while (reader.Read())
                {
                    rows.Add(Read(reader));
                }

                return rows;
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<DownloadRecord?> GetAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM file_downloads WHERE resource_id = $r;";
                command.Parameters.AddWithValue("$r", resourceId);
                using var reader = command.ExecuteReader();
                return reader.Read() ? Read(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task UpsertAsync(DownloadRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ResourceId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.Id, nameof(record));
        return RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO file_downloads (id, resource_id, file_url, local_path, file_size, downloaded_size, status, progress,
                      error_message, started_at, completed_at, metadata, etag, priority, queue_order)
                    VALUES ($id, $r, $url, $path, $size, $done, $status, $progress, $error, $started, $completed, $meta, $etag, $priority, $order)
                    ON CONFLICT (resource_id) DO UPDATE SET
                      id = excluded.id, file_url = excluded.file_url, local_path = excluded.local_path, file_size = excluded.file_size,
                      downloaded_size = excluded.downloaded_size, status = excluded.status, progress = excluded.progress,
                      error_message = excluded.error_message, started_at = excluded.started_at, completed_at = excluded.completed_at,
                      metadata = excluded.metadata, etag = excluded.etag, priority = excluded.priority, queue_order = excluded.queue_order;
                    """;
                var p = command.Parameters;
                p.AddWithValue("$id", record.Id);
                p.AddWithValue("$r", record.ResourceId);
                p.AddWithValue("$url", record.FileUrl);
                p.AddWithValue("$path", (object?)record.LocalPath ?? DBNull.Value);
                p.AddWithValue("$size", record.FileSize ?? 0);
                p.AddWithValue("$done", record.DownloadedSize);
                p.AddWithValue("$status", StatusText(record.State));
                p.AddWithValue("$progress", record.Progress);
                p.AddWithValue("$error", (object?)record.ErrorMessage ?? DBNull.Value);
                p.AddWithValue("$started", SqliteDatabase.ToText(record.StartedAt));
                p.AddWithValue("$completed", record.CompletedAt is { } at ? SqliteDatabase.ToText(at) : DBNull.Value);
                p.AddWithValue("$meta", (object?)record.Metadata?.ToJsonString() ?? DBNull.Value);
                p.AddWithValue("$etag", (object?)record.ETag ?? DBNull.Value);
                p.AddWithValue("$priority", (int)record.Priority);
                p.AddWithValue("$order", record.Order);
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> RemoveAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM file_downloads WHERE resource_id = $r;";
                command.Parameters.AddWithValue("$r", resourceId);
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <summary>Closes the connection and releases the file. Safe to call twice.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>The seed's status names, plus the two waiting states.</summary>
    internal static string StatusText(DownloadState state) => state switch
    {
        DownloadState.Pending => "pending",
        DownloadState.Downloading => "downloading",
        DownloadState.Paused => "paused",
        DownloadState.WaitingForWiFi => "waiting_for_wifi",
        DownloadState.Completed => "completed",
        DownloadState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown download state."),
    };

    private static DownloadState ParseStatus(string text) => text switch
    {
        "downloading" => DownloadState.Downloading,
        "paused" => DownloadState.Paused,
        "waiting_for_wifi" => DownloadState.WaitingForWiFi,
        "completed" => DownloadState.Completed,
        "failed" => DownloadState.Failed,
        _ => DownloadState.Pending,
    };

    private static DownloadRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ResourceId = reader.GetString(1),
        FileUrl = reader.GetString(2),
        LocalPath = reader.IsDBNull(3) ? null : reader.GetString(3),
        FileSize = reader.GetInt64(4) is > 0 and var size ? size : null,
        DownloadedSize = reader.GetInt64(5),
        State = ParseStatus(reader.GetString(6)),
        ErrorMessage = reader.IsDBNull(7) ? null : reader.GetString(7),
        StartedAt = SqliteDatabase.FromText(reader.GetString(8)),
        CompletedAt = reader.IsDBNull(9) ? null : SqliteDatabase.FromText(reader.GetString(9)),
        Metadata = reader.IsDBNull(10) ? null : JsonNode.Parse(reader.GetString(10)),
        ETag = reader.IsDBNull(11) ? null : reader.GetString(11),
        Priority = Enum.IsDefined((SyncPriority)reader.GetInt32(12)) ? (SyncPriority)reader.GetInt32(12) : SyncPriority.Medium,
        Order = reader.GetInt64(13),
    };

    private Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) =>
        _database.RunAsync(work, cancellationToken);
}
