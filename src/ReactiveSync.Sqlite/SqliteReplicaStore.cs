using System.Reactive.Subjects;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Pull;

namespace ReactiveSync.Sqlite;

/// <summary>
/// The durable <see cref="IReplicaStore"/>: resources in the <c>resources</c> table (type, id, version, data, deleted,
/// updated_at, file url and size) and the pull checkpoint in <c>replica_checkpoint</c>, in one SQLite file (WAL,
/// <c>synchronous=FULL</c>), so a page and its checkpoint commit in one transaction. Thread-safe; can share a file with
/// the other SQLite stores.
/// </summary>
public sealed class SqliteReplicaStore : IReplicaStore, IAsyncDisposable
{
    /// <summary>The newest schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    // Insert-or-ignore then a guarded update is measurably faster than INSERT ... ON CONFLICT DO UPDATE for the common
    // case of a pull (mostly new rows), and keeps the rule: a stored higher version is never replaced.
    private const string InsertSql = """
        INSERT OR IGNORE INTO resources (resource_type, resource_id, version, data, deleted, updated_at, file_url, file_size)
        VALUES ($type, $id, $version, $data, $deleted, $updated, $url, $size);
        """;

    private const string UpdateSql = """
        UPDATE resources SET version = $version, data = $data, deleted = $deleted, updated_at = $updated, file_url = $url, file_size = $size
        WHERE resource_type = $type AND resource_id = $id AND version <= $version;
        """;

    private const string Columns = "resource_type, resource_id, version, data, deleted, updated_at, file_url, file_size";

    private static readonly IReadOnlyList<Action<SqliteConnection>> Migrations =
    [
        connection => SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS resources (
              resource_type TEXT NOT NULL,
              resource_id TEXT NOT NULL,
              version INTEGER NOT NULL,
              data TEXT,
              deleted INTEGER NOT NULL DEFAULT 0,
              updated_at TEXT NOT NULL,
              file_url TEXT,
              file_size INTEGER,
              PRIMARY KEY (resource_type, resource_id)
            );
            CREATE INDEX IF NOT EXISTS resources_with_content ON resources (resource_id) WHERE file_url IS NOT NULL;
            CREATE TABLE IF NOT EXISTS replica_checkpoint (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              checkpoint INTEGER NOT NULL
            );
            """),
    ];

    private readonly SqliteStoreConnection _database;
    private readonly Subject<IReadOnlyList<ReplicaKey>> _changed = new();

    /// <summary>Creates a store over the SQLite file at <paramref name="databasePath"/>, opened on first use.</summary>
    /// <exception cref="ArgumentException"><paramref name="databasePath"/> is empty.</exception>
    public SqliteReplicaStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _database = new SqliteStoreConnection(databasePath, "replica", Migrations, this);
    }

    /// <inheritdoc/>
    /// <remarks>Emits on the committing thread, after the commit, while the store's lock is held: subscribers must not block.</remarks>
    public IObservable<IReadOnlyList<ReplicaKey>> Changed => _changed;

    /// <summary>A test hook run inside the page transaction, after the rows and before the checkpoint; throwing rolls the page back.</summary>
    internal Action<int>? BeforePageCommit { get; set; }

    /// <summary>Opens the file and migrates its schema now rather than on first use.</summary>
    /// <exception cref="SqliteSchemaVersionException">The file was written by a newer schema.</exception>
    public Task OpenAsync(CancellationToken cancellationToken = default) => RunAsync(static _ => 0, cancellationToken);

    /// <inheritdoc/>
    public Task<long?> GetCheckpointAsync(CancellationToken cancellationToken = default) =>
        RunAsync(
            static connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT checkpoint FROM replica_checkpoint WHERE id = 1;";
                return command.ExecuteScalar() is long checkpoint ? checkpoint : (long?)null;
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<int> ApplyPageAsync(IReadOnlyList<ReplicaResource> resources, long checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint);
        foreach (var resource in resources)
        {
            ReplicaArguments.Validate(resource, nameof(resources));
        }

        return RunAsync(
            connection =>
            {
                var written = new List<ReplicaKey>(resources.Count);
                using var transaction = connection.BeginTransaction();
                using (var upsert = CreateUpsert(connection, transaction))
                {
                    foreach (var resource in resources)
                    {
                        if (Upsert(upsert, resource))
                        {
                            written.Add(new ReplicaKey(resource.ResourceType, resource.ResourceId));
                        }
                    }
                }

                BeforePageCommit?.Invoke(written.Count);
                using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "INSERT INTO replica_checkpoint (id, checkpoint) VALUES (1, $c) ON CONFLICT (id) DO UPDATE SET checkpoint = excluded.checkpoint;";
                    command.Parameters.AddWithValue("$c", checkpoint);
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
                Emit(written);
                return written.Count;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> PutAsync(ReplicaResource resource, CancellationToken cancellationToken = default)
    {
        ReplicaArguments.Validate(resource, nameof(resource));
        return RunAsync(
            connection =>
            {
                using var upsert = CreateUpsert(connection, null);
                var written = Upsert(upsert, resource);
                if (written)
                {
                    Emit([new ReplicaKey(resource.ResourceType, resource.ResourceId)]);
                }

                return written;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One transaction with one prepared upsert (a push's answers land together, not one commit each).</remarks>
    public Task<int> PutManyAsync(IReadOnlyList<ReplicaResource> resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        foreach (var resource in resources)
        {
            ReplicaArguments.Validate(resource, nameof(resources));
        }

        if (resources.Count == 0)
        {
            return Task.FromResult(0);
        }

        return RunAsync(
            connection =>
            {
                var written = new List<ReplicaKey>(resources.Count);
                using (var transaction = connection.BeginTransaction())
                {
                    using (var upsert = CreateUpsert(connection, transaction))
                    {
                        foreach (var resource in resources)
                        {
                            if (Upsert(upsert, resource))
                            {
                                written.Add(new ReplicaKey(resource.ResourceType, resource.ResourceId));
                            }
                        }
                    }

                    transaction.Commit();
                }

                Emit(written);
                return written.Count;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One prepared statement for all keys.</remarks>
    public Task<IReadOnlyList<ReplicaResource?>> GetManyAsync(IReadOnlyList<ReplicaKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            ArgumentException.ThrowIfNullOrEmpty(key.ResourceId, nameof(keys));
        }

        return RunAsync<IReadOnlyList<ReplicaResource?>>(
            connection =>
            {
                var found = new ReplicaResource?[keys.Count];
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM resources WHERE resource_type = $type AND resource_id = $id;";
                var type = command.Parameters.Add("$type", SqliteType.Text);
                var id = command.Parameters.Add("$id", SqliteType.Text);
                for (var i = 0; i < keys.Count; i++)
                {
                    type.Value = keys[i].ResourceType.Value;
                    id.Value = keys[i].ResourceId;
                    using var reader = command.ExecuteReader();
                    found[i] = reader.Read() ? Read(reader) : null;
                }

                return found;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReplicaResource?> GetAsync(ResourceType resourceType, string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM resources WHERE resource_type = $type AND resource_id = $id;";
                command.Parameters.AddWithValue("$type", resourceType.Value);
                command.Parameters.AddWithValue("$id", resourceId);
                using var reader = command.ExecuteReader();
                return reader.Read() ? Read(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReplicaResource?> FindContentAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM resources WHERE resource_id = $id AND file_url IS NOT NULL ORDER BY updated_at DESC LIMIT 1;";
                command.Parameters.AddWithValue("$id", resourceId);
                using var reader = command.ExecuteReader();
                return reader.Read() ? Read(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReplicaResource>> GetPageAsync(ResourceType resourceType, string? afterResourceId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return RunAsync<IReadOnlyList<ReplicaResource>>(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {Columns} FROM resources WHERE resource_type = $type AND resource_id > $after ORDER BY resource_id LIMIT $limit;";
                command.Parameters.AddWithValue("$type", resourceType.Value);
                command.Parameters.AddWithValue("$after", afterResourceId ?? string.Empty);
                command.Parameters.AddWithValue("$limit", limit);
                using var reader = command.ExecuteReader();
                var page = new List<ReplicaResource>();
                while (reader.Read())
                {
                    page.Add(Read(reader));
                }

                return page;
            },
            cancellationToken);
    }

    /// <summary>Closes the connection, releases the file and completes <see cref="Changed"/>. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        // Closing takes the connection's lock, so no write (and no Changed notice) runs after it.
        await _database.DisposeAsync().ConfigureAwait(false);
        _changed.OnCompleted();
    }

    private static Upserter CreateUpsert(SqliteConnection connection, SqliteTransaction? transaction) =>
        new(Prepare(connection, transaction, InsertSql), Prepare(connection, transaction, UpdateSql));

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.Add("$type", SqliteType.Text);
        command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.Add("$version", SqliteType.Integer);
        command.Parameters.Add("$data", SqliteType.Text);
        command.Parameters.Add("$deleted", SqliteType.Integer);
        command.Parameters.Add("$updated", SqliteType.Text);
        command.Parameters.Add("$url", SqliteType.Text);
        command.Parameters.Add("$size", SqliteType.Integer);
        command.Prepare();
        return command;
    }

    private static bool Upsert(Upserter upsert, ReplicaResource resource)
    {
        var data = !resource.Deleted && resource.Data is not null ? resource.Data.ToJsonString() : null;
        var updated = SqliteDatabase.ToText(resource.UpdatedAt);
        Bind(upsert.Insert, resource, data, updated);
        if (upsert.Insert.ExecuteNonQuery() > 0)
        {
            return true;
        }

        Bind(upsert.Update, resource, data, updated);
        return upsert.Update.ExecuteNonQuery() > 0;
    }

    private static void Bind(SqliteCommand command, ReplicaResource resource, string? data, string updated)
    {
        var p = command.Parameters;
        p[0].Value = resource.ResourceType.Value;
        p[1].Value = resource.ResourceId;
        p[2].Value = resource.Version;
        p[3].Value = (object?)data ?? DBNull.Value;
        p[4].Value = resource.Deleted ? 1 : 0;
        p[5].Value = updated;
        p[6].Value = (object?)resource.ContentUrl ?? DBNull.Value;
        p[7].Value = (object?)resource.ContentSize ?? DBNull.Value;
    }

    private static ReplicaResource Read(SqliteDataReader reader) => new()
    {
        ResourceType = ResourceType.From(reader.GetString(0)),
        ResourceId = reader.GetString(1),
        Version = reader.GetInt64(2),
        Data = reader.IsDBNull(3) ? null : JsonNode.Parse(reader.GetString(3)),
        Deleted = reader.GetInt64(4) != 0,
        UpdatedAt = SqliteDatabase.FromText(reader.GetString(5)),
        ContentUrl = reader.IsDBNull(6) ? null : reader.GetString(6),
        ContentSize = reader.IsDBNull(7) ? null : reader.GetInt64(7),
    };

    private void Emit(IReadOnlyList<ReplicaKey> written)
    {
        if (written.Count > 0)
        {
            _changed.OnNext(written);
        }
    }

    private Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) =>
        _database.RunAsync(work, cancellationToken);

    /// <summary>The two prepared statements of one write; disposed together.</summary>
    private sealed class Upserter(SqliteCommand insert, SqliteCommand update) : IDisposable
    {
        public SqliteCommand Insert { get; } = insert;

        public SqliteCommand Update { get; } = update;

        public void Dispose()
        {
            Insert.Dispose();
            Update.Dispose();
        }
    }
}
