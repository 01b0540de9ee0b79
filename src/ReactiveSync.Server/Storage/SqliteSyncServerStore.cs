using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Server.Internal;
using ReactiveSync.Server.Protocol;

namespace ReactiveSync.Server.Storage;

/// <summary>
/// The SQLite implementation of <see cref="ISyncServerStore"/>: one database file in WAL mode, content as files
/// under a content root.
/// </summary>
/// <remarks>
/// Writes (push batches, content commits) are serialized and each push batch is one transaction: every change, its
/// dedupe record and the sequence move together. Reads run concurrently with writes (WAL). Content files are named
/// by hashes of the resource id and of the bytes, so no id can escape the content root.
/// </remarks>
public sealed class SqliteSyncServerStore : ISyncServerStore, IDisposable, IAsyncDisposable
{
    /// <summary>The schema version this code writes (<c>PRAGMA user_version</c>).</summary>
    internal const int SchemaVersion = 1;

    // Version 1: resources keyed by (resource_id, resource_type), so lookups by id alone use the key and no separate
    // index is kept; dedupe records hold an applied answer as columns instead of JSON. Each push writes about a third
    // fewer pages.
    private const string ResourceColumns = """
        resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NULL,
        deleted INTEGER NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (resource_id, resource_type)
        """;

    private const string Schema = $"""
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS resources ({ResourceColumns});
        CREATE UNIQUE INDEX IF NOT EXISTS ix_resources_seq ON resources (seq);
        CREATE TABLE IF NOT EXISTS content (
            resource_id TEXT NOT NULL PRIMARY KEY,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            content_type TEXT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS dedupe (
            client_id TEXT NOT NULL,
            operation_id TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            result TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            version INTEGER NULL,
            server_deleted INTEGER NOT NULL DEFAULT 0,
            server_updated_at TEXT NULL,
            PRIMARY KEY (client_id, operation_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS change_sequence (
            id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL);
        INSERT OR IGNORE INTO change_sequence (id, value) VALUES (1, 0);
        PRAGMA user_version = 1;
        """;

    // From version 0 (before user_version was set): rebuild resources on its new key, add the answer's columns to dedupe
    // (earlier records keep their JSON in result). One transaction: a failure leaves the file at version 0.
    private const string MigrateFromVersion0 = $"""
        CREATE TABLE resources_v1 ({ResourceColumns});
        INSERT INTO resources_v1 (resource_type, resource_id, version, data, deleted, updated_at, seq)
            SELECT resource_type, resource_id, version, data, deleted, updated_at, seq FROM resources;
        DROP TABLE resources;
        ALTER TABLE resources_v1 RENAME TO resources;
        CREATE UNIQUE INDEX ix_resources_seq ON resources (seq);
        ALTER TABLE dedupe ADD COLUMN version INTEGER NULL;
        ALTER TABLE dedupe ADD COLUMN server_deleted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE dedupe ADD COLUMN server_updated_at TEXT NULL;
        PRAGMA user_version = 1;
        """;

    private readonly string _connectionString;
    private readonly string _contentRoot;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private PushStatements? _pushStatements;
    private int _disposed;

    /// <summary>Opens (creating when missing) the database at <paramref name="databasePath"/> and the content root.</summary>
    /// <param name="databasePath">The SQLite file; its folder is created when missing.</param>
    /// <param name="contentRoot">The folder content files live in; created when missing.</param>
    /// <param name="timeProvider">The server clock for <c>updatedAt</c>; the system clock when null.</param>
    /// <exception cref="ArgumentException">A path is null or empty.</exception>
    public SqliteSyncServerStore(string databasePath, string contentRoot, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRoot);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        _contentRoot = Path.GetFullPath(contentRoot);
        Directory.CreateDirectory(_contentRoot);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using (var connection = Open())
        {
            CreateOrMigrate(connection, fullPath);
        }

        DatabasePath = fullPath;
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The full path of the content root.</summary>
    public string ContentRoot => _contentRoot;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<PushOperationResult>> PushAsync(
        string clientId,
        IReadOnlyList<PushOperation> operations,
        Func<PushOperation, string?>? validate,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(operations);
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i] ?? throw new ArgumentException($"operations[{i}] is null.", nameof(operations));
            if (op.Id == Guid.Empty || string.IsNullOrEmpty(op.ResourceType) || string.IsNullOrEmpty(op.ResourceId))
            {
                throw new ArgumentException($"operations[{i}] needs an id, a resourceType and a resourceId.", nameof(operations));
            }
        }

        ThrowIfDisposed();
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();

            // One long-lived writer connection (writes are serialized by the lock) keeps its prepared statements
            // across batches, so a batch pays no open, pragma or prepare.
            var statements = _pushStatements ??= new PushStatements(Open());
            var connection = statements.Connection;
            using var transaction = connection.BeginTransaction();
            var batch = new PushBatch(statements, transaction, clientId, operations, ReadSequence(connection, transaction), _timeProvider.GetUtcNow());
            var results = new PushOperationResult[operations.Count];
            for (var i = 0; i < operations.Count; i++)
            {
                results[i] = batch.Apply(operations[i], validate);
            }

            batch.Flush();
            WriteSequence(connection, transaction, batch.Sequence);
            transaction.Commit();
            return results;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    public ValueTask<PullResponse> PullAsync(long since, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(since);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.resource_type, r.resource_id, r.version, r.data, r.deleted, r.updated_at, r.seq, c.size
            FROM resources r LEFT JOIN content c ON c.resource_id = r.resource_id
            WHERE r.seq > $since ORDER BY r.seq LIMIT $take
            """;
        command.Parameters.AddWithValue("$since", since);
        command.Parameters.AddWithValue("$take", (long)limit + 1);
        var changes = new List<PullChange>(Math.Min(limit, 1024));
        var hasMore = false;
        var checkpoint = since;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (changes.Count == limit)
            {
                hasMore = true;
                break;
            }

            var resourceId = reader.GetString(1);
            long? contentSize = reader.IsDBNull(7) ? null : reader.GetInt64(7);
            changes.Add(new PullChange
            {
                ResourceType = reader.GetString(0),
                ResourceId = resourceId,
                Version = reader.GetInt64(2),
                Data = reader.IsDBNull(3) ? null : JsonNode.Parse(reader.GetString(3)),
                Deleted = reader.GetInt64(4) != 0,
                UpdatedAt = ParseTime(reader.GetString(5)),
                ContentUrl = contentSize is null ? null : ContentUrl(resourceId),
                ContentSize = contentSize,
            });
            checkpoint = reader.GetInt64(6);
        }

        return ValueTask.FromResult(new PullResponse(changes, checkpoint, hasMore));
    }

    /// <inheritdoc/>
    public ValueTask<StoredResource?> GetResourceAsync(string resourceType, string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        var row = ReadResource(connection, null, resourceType, resourceId);
        return ValueTask.FromResult(row is null
            ? null
            : new StoredResource(resourceType, resourceId, row.Version, row.Data is null ? null : JsonNode.Parse(row.Data), row.Deleted, row.UpdatedAt, row.Sequence));
    }

    /// <inheritdoc/>
    public ValueTask<PushOperationResult?> GetRecordedResultAsync(string clientId, Guid operationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT result, version, server_deleted, server_updated_at FROM dedupe WHERE client_id = $client AND operation_id = $op";
        command.Parameters.AddWithValue("$client", clientId);
        command.Parameters.AddWithValue("$op", OperationKey(operationId));
        using var reader = command.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? RecordedRow.Read(reader, 0).ToResult(operationId) : null);
    }

    /// <inheritdoc/>
    public ValueTask<long> CountRecordedOperationsAsync(string? clientId = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = clientId is null
            ? "SELECT COUNT(*) FROM dedupe"
            : "SELECT COUNT(*) FROM dedupe WHERE client_id = $client";
        if (clientId is not null)
        {
            command.Parameters.AddWithValue("$client", clientId);
        }

        return ValueTask.FromResult((long)command.ExecuteScalar()!);
    }

    /// <inheritdoc/>
    public ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        return ValueTask.FromResult(ReadSequence(connection, null));
    }

    /// <inheritdoc/>
    public async ValueTask<StoredContent> PutContentAsync(
        string resourceId,
        Stream content,
        string? contentType,
        long maxBytes,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ThrowIfDisposed();

        // Write to a temporary file while hashing, then commit under the write lock.
        var tempPath = Path.Combine(_contentRoot, $"upload-{Guid.NewGuid():N}.tmp");
        long size = 0;
        string hash;
        try
        {
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new ContentTooLargeException(maxBytes);
                    }

                    hasher.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            hash = ContentFileNames.Hex(hasher.GetHashAndReset().AsSpan(0, 16));
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }

        var fileName = ContentFileNames.ForResource(resourceId, hash);
        var etag = $"\"{hash}\"";
        string? oldFileName = null;
        StoredContent stored;
        await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            File.Move(tempPath, Path.Combine(_contentRoot, fileName), overwrite: true);
            var now = _timeProvider.GetUtcNow();
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            using (var select = connection.CreateCommand())
            {
                select.Transaction = transaction;
                select.CommandText = "SELECT file_name FROM content WHERE resource_id = $id";
                select.Parameters.AddWithValue("$id", resourceId);
                oldFileName = select.ExecuteScalar() as string;
            }

            using (var upsert = connection.CreateCommand())
            {
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO content (resource_id, file_name, size, etag, content_type, updated_at)
                    VALUES ($id, $file, $size, $etag, $type, $at)
                    ON CONFLICT (resource_id) DO UPDATE SET file_name = excluded.file_name, size = excluded.size,
                        etag = excluded.etag, content_type = excluded.content_type, updated_at = excluded.updated_at
                    """;
                upsert.Parameters.AddWithValue("$id", resourceId);
                upsert.Parameters.AddWithValue("$file", fileName);
                upsert.Parameters.AddWithValue("$size", size);
                upsert.Parameters.AddWithValue("$etag", etag);
                upsert.Parameters.AddWithValue("$type", (object?)contentType ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$at", FormatTime(now));
                upsert.ExecuteNonQuery();
            }

            // A content change is a change: every resource with this id moves to a new sequence so pull sees it.
            var sequence = ReadSequence(connection, transaction);
            var ids = new List<string>();
            using (var types = connection.CreateCommand())
            {
                types.Transaction = transaction;
                types.CommandText = "SELECT resource_type FROM resources WHERE resource_id = $id ORDER BY resource_type";
                types.Parameters.AddWithValue("$id", resourceId);
                using var reader = types.ExecuteReader();
                while (reader.Read())
                {
                    ids.Add(reader.GetString(0));
                }
            }

            foreach (var type in ids)
            {
                using var bump = connection.CreateCommand();
                bump.Transaction = transaction;
                bump.CommandText = "UPDATE resources SET seq = $seq WHERE resource_type = $type AND resource_id = $id";
                bump.Parameters.AddWithValue("$seq", ++sequence);
                bump.Parameters.AddWithValue("$type", type);
                bump.Parameters.AddWithValue("$id", resourceId);
                bump.ExecuteNonQuery();
            }

            WriteSequence(connection, transaction, sequence);
            transaction.Commit();
            stored = new StoredContent(resourceId, size, etag, contentType, now);
        }
        catch
        {
            if (oldFileName != fileName)
            {
                TryDelete(Path.Combine(_contentRoot, fileName));
            }

            TryDelete(tempPath);
            throw;
        }
        finally
        {
            _writeLock.Release();
        }

        if (oldFileName is not null && oldFileName != fileName)
        {
            // Open readers keep their handle; the old bytes go away when they close.
            TryDelete(Path.Combine(_contentRoot, oldFileName));
        }

        return stored;
    }

    /// <inheritdoc/>
    public ValueTask<ContentReader?> OpenContentAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ThrowIfDisposed();

        // A PUT may replace the file between reading the row and opening it: read the row again then.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string fileName;
            StoredContent info;
            using (var connection = Open())
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT file_name, size, etag, content_type, updated_at FROM content WHERE resource_id = $id";
                command.Parameters.AddWithValue("$id", resourceId);
                using var reader = command.ExecuteReader();
                if (!reader.Read())
                {
                    return ValueTask.FromResult<ContentReader?>(null);
                }

                fileName = reader.GetString(0);
                info = new StoredContent(
                    resourceId,
                    reader.GetInt64(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    ParseTime(reader.GetString(4)));
            }

            try
            {
                var stream = new FileStream(
                    Path.Combine(_contentRoot, fileName),
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.Read | FileShare.Delete,
                    1 << 16,
                    FileOptions.Asynchronous | FileOptions.SequentialScan);
                return ValueTask.FromResult<ContentReader?>(new ContentReader(info, stream));
            }
            catch (FileNotFoundException)
            {
            }
        }

        throw new IOException($"The content of '{resourceId}' kept changing while it was opened.");
    }

    /// <summary>Releases pooled connections so the database file can be deleted; waits (blocking) for a push in flight.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A push in flight holds the lock; wait for it so the writer connection is not closed under it.
        _writeLock.Wait();
        Release();
    }

    /// <summary>Like <see cref="Dispose"/>, awaiting a push in flight instead of blocking a thread (the host disposes this way).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        Release();
    }

    /// <summary>Closes the writer's statements and connections; the caller holds the write lock, which this releases and disposes.</summary>
    private void Release()
    {
        try
        {
            _pushStatements?.Dispose();
            _pushStatements = null;
        }
        finally
        {
            _writeLock.Release();
        }

        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
    }

    internal static string ContentUrl(string resourceId) => "/sync/content/" + Uri.EscapeDataString(resourceId);

    internal static string FormatTime(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    internal static string OperationKey(Guid operationId) => operationId.ToString("D");

    /// <summary>Creates the schema in a new file, or brings a file of an earlier version to <see cref="SchemaVersion"/>.</summary>
    /// <exception cref="SyncServerSchemaException">The file was written by a newer version.</exception>
    private static void CreateOrMigrate(SqliteConnection connection, string path)
    {
        var version = Scalar(connection, "PRAGMA user_version;");
        if (version > SchemaVersion)
        {
            throw new SyncServerSchemaException(path, version, SchemaVersion);
        }

        if (version == 0 && Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'resources';") == 1)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            Execute(connection, transaction, MigrateFromVersion0);
            transaction.Commit();
        }

        Execute(connection, null, Schema);

        static long Scalar(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }

        static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private static long ReadSequence(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM change_sequence WHERE id = 1";
        return (long)command.ExecuteScalar()!;
    }

    private static void WriteSequence(SqliteConnection connection, SqliteTransaction transaction, long value)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE change_sequence SET value = $value WHERE id = 1";
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static ResourceRow? ReadResource(SqliteConnection connection, SqliteTransaction? transaction, string resourceType, string resourceId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version, data, deleted, updated_at, seq FROM resources WHERE resource_type = $type AND resource_id = $id";
        command.Parameters.AddWithValue("$type", resourceType);
        command.Parameters.AddWithValue("$id", resourceId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ResourceRow(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2) != 0, ParseTime(reader.GetString(3)), reader.GetInt64(4))
            : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // FULL: a push is answered only after its commit reached the disk. With NORMAL a power cut could roll back a
        // batch the client was told was applied, and the client, having removed it from its queue, would never resend it.
        pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The writer connection's <c>PRAGMA synchronous</c> (2 is FULL), or null before the first push opened it (for tests).</summary>
    internal async Task<long?> WriterSynchronousModeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_pushStatements is not { } statements)
            {
                return null;
            }

            using var command = statements.Connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous;";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private sealed record ResourceRow(long Version, string? Data, bool Deleted, DateTimeOffset UpdatedAt, long Sequence);

    /// <summary>
    /// A dedupe record: the answer given, an applied one, kept as its columns. Records written before schema version 1
    /// hold the answer as JSON in <c>result</c> instead; an empty <c>result</c> means the columns hold it.
    /// </summary>
    private readonly record struct RecordedRow(string Json, long? Version, bool ServerDeleted, string? ServerUpdatedAt)
    {
        /// <summary>Reads <c>result, version, server_deleted, server_updated_at</c> starting at column <paramref name="first"/>.</summary>
        public static RecordedRow Read(SqliteDataReader reader, int first) => new(
            reader.GetString(first),
            reader.IsDBNull(first + 1) ? null : reader.GetInt64(first + 1),
            reader.GetInt64(first + 2) != 0,
            reader.IsDBNull(first + 3) ? null : reader.GetString(first + 3));

        public PushOperationResult ToResult(Guid operationId) => Json.Length > 0
            ? JsonSerializer.Deserialize(Json, SyncJsonContext.Default.PushOperationResult)!
            : new PushOperationResult
            {
                OperationId = operationId,
                Status = PushOperationStatus.Applied,
                Version = Version,
                ServerDeleted = ServerDeleted,
                ServerUpdatedAt = ServerUpdatedAt is null ? null : ParseTime(ServerUpdatedAt),
            };
    }

    /// <summary>The writer connection and the push statements, prepared once and reused by every batch.</summary>
    private sealed class PushStatements : IDisposable
    {
        public PushStatements(SqliteConnection connection)
        {
            Connection = connection;
            FindRecorded = Prepare(
                connection,
                """
                SELECT d.operation_id, d.result, d.version, d.server_deleted, d.server_updated_at FROM json_each($ids) j CROSS JOIN dedupe d
                WHERE d.client_id = $client AND d.operation_id = j.value
                """,
                "$ids",
                "$client");
            FindResources = Prepare(
                connection,
                """
                SELECT r.resource_type, r.resource_id, r.version, r.data, r.deleted, r.updated_at, r.seq
                FROM jsonb_each($keys) j CROSS JOIN resources r
                WHERE r.resource_type = j.value ->> 0 AND r.resource_id = j.value ->> 1
                """,
                "$keys");
            // The batch's writes go in as one JSON array each: a statement per batch instead of one per operation. Read with
            // jsonb_each, each row reaches ->> as JSONB; json_each would render it back to text for every column read and
            // ->> parse it again (on the store alone the two writes took about 155 ms per 20,000 operations that way, about
            // 105 ms this way). The resource lookup above reads its keys the same way.
            InsertDedupe = Prepare(
                connection,
                """
                INSERT INTO dedupe (client_id, operation_id, resource_type, resource_id, result, version, server_deleted, server_updated_at, recorded_at)
                SELECT $client, j.value ->> 0, j.value ->> 1, j.value ->> 2, '', j.value ->> 3, j.value ->> 4, j.value ->> 5, $at FROM jsonb_each($rows) j
                """,
                "$rows",
                "$client",
                "$at");
            UpsertResource = Prepare(
                connection,
                """
                INSERT INTO resources (resource_type, resource_id, version, data, deleted, updated_at, seq)
                SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, $at, j.value ->> 5
                FROM jsonb_each($rows) j WHERE true
                ON CONFLICT (resource_id, resource_type) DO UPDATE SET version = excluded.version, data = excluded.data,
                    deleted = excluded.deleted, updated_at = excluded.updated_at, seq = excluded.seq
                """,
                "$rows",
                "$at");
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand FindRecorded { get; }

        public SqliteCommand FindResources { get; }

        public SqliteCommand InsertDedupe { get; }

        public SqliteCommand UpsertResource { get; }

        public void Use(SqliteTransaction transaction)
        {
            FindRecorded.Transaction = transaction;
            FindResources.Transaction = transaction;
            InsertDedupe.Transaction = transaction;
            UpsertResource.Transaction = transaction;
        }

        public void Dispose()
        {
            FindRecorded.Dispose();
            FindResources.Dispose();
            InsertDedupe.Dispose();
            UpsertResource.Dispose();
            Connection.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            }

            command.Prepare();
            return command;
        }
    }

    /// <summary>
    /// One push batch inside its transaction. The dedupe records and resource rows the batch touches are read up front
    /// with one statement each; the batch's own writes update that picture, so later operations of the batch see
    /// earlier ones exactly as the database would.
    /// </summary>
    private sealed class PushBatch
    {
        private readonly PushStatements _statements;
        private readonly string _clientId;
        private readonly DateTimeOffset _now;
        private readonly string _nowText;
        private readonly long _firstSequence;
        private readonly Dictionary<Guid, PushOperationResult> _recorded = [];
        private readonly Dictionary<(string Type, string Id), ResourceRow> _rows = [];
        private readonly Dictionary<string, RecordedRow> _recordedRows = new(StringComparer.Ordinal);
        private readonly List<(string Type, string Id)> _changed = [];
        private readonly ArrayBufferWriter<byte> _dedupeRows = new(16 * 1024);
        private readonly Utf8JsonWriter _dedupeWriter;

        public PushBatch(
            PushStatements statements,
            SqliteTransaction transaction,
            string clientId,
            IReadOnlyList<PushOperation> operations,
            long sequence,
            DateTimeOffset now)
        {
            _statements = statements;
            _clientId = clientId;
            _now = now;
            _nowText = FormatTime(now);
            _firstSequence = sequence;
            Sequence = sequence;
            _dedupeWriter = new Utf8JsonWriter(_dedupeRows);
            _dedupeWriter.WriteStartArray();
            statements.Use(transaction);
            LoadRecorded(operations);
            LoadRows(operations);
        }

        public long Sequence { get; private set; }

        public PushOperationResult Apply(PushOperation op, Func<PushOperation, string?>? validate)
        {
            if (_recorded.TryGetValue(op.Id, out var first))
            {
                return first with { Status = PushOperationStatus.Duplicate };
            }

            if (_recordedRows.Remove(OperationKey(op.Id), out var recorded))
            {
                first = recorded.ToResult(op.Id);
                _recorded[op.Id] = first;
                return first with { Status = PushOperationStatus.Duplicate };
            }

            // The shape check runs first so validation hooks always see an object (or null) as data.
            var message = op.Type is PushOperationType.Create or PushOperationType.Update or PushOperationType.Upload
                && op.Data is not null and not JsonObject
                ? $"The data of a {op.Type.ToString().ToLowerInvariant()} operation must be a JSON object or null."
                : validate?.Invoke(op);

            if (message is not null)
            {
                return new PushOperationResult
                {
                    OperationId = op.Id,
                    Status = PushOperationStatus.Rejected,
                    Error = new ErrorDetail(ErrorKind.Validation, message),
                };
            }

            var row = ReadRow(op.ResourceType!, op.ResourceId!);
            var exists = row is { Deleted: false };
            switch (op.Type)
            {
                case PushOperationType.Create:
                    if (exists)
                    {
                        return Conflict(op, row);
                    }

                    return Change(op, (row?.Version ?? 0) + 1, (op.Data ?? new JsonObject()).ToJsonString());

                case PushOperationType.Update:
                    if (!exists || (op.BaseVersion is { } baseVersion && baseVersion != row!.Version))
                    {
                        return Conflict(op, row);
                    }

                    return Change(op, row!.Version + 1, Patch(row.Data, op.Data));

                case PushOperationType.Delete:
                    if (!exists)
                    {
                        return Unchanged(op, row);
                    }

                    if (op.BaseVersion is { } deleteBase && deleteBase != row!.Version)
                    {
                        return Conflict(op, row);
                    }

                    return Change(op, row!.Version + 1, null);

                case PushOperationType.Upload:
                    // No version check; a missing or deleted resource is (re)created from the metadata.
                    return Change(op, (row?.Version ?? 0) + 1, Patch(exists ? row!.Data : null, op.Data));

                case PushOperationType.Download:
                    return Unchanged(op, row);

                default:
                    return new PushOperationResult
                    {
                        OperationId = op.Id,
                        Status = PushOperationStatus.Rejected,
                        Error = new ErrorDetail(ErrorKind.Validation, $"Unknown operation type {op.Type}."),
                    };
            }
        }

        private static string Patch(string? current, JsonNode? patch)
        {
            var target = current is null ? new JsonObject() : JsonNode.Parse(current);
            return (MergePatch.Apply(target, patch ?? new JsonObject()) ?? new JsonObject()).ToJsonString();
        }

        private static PushOperationResult Conflict(PushOperation op, ResourceRow? row) => new()
        {
            OperationId = op.Id,
            Status = PushOperationStatus.Conflict,
            Version = row?.Version,
            ServerData = row is { Deleted: false, Data: not null } ? JsonNode.Parse(row.Data) : null,
            ServerDeleted = row is null || row.Deleted,
            ServerUpdatedAt = row?.UpdatedAt,
        };

        private ResourceRow? ReadRow(string type, string id) => _rows.TryGetValue((type, id), out var row) ? row : null;

        private void LoadRecorded(IReadOnlyList<PushOperation> operations)
        {
            var ids = new StringBuilder(operations.Count * 40).Append('[');
            for (var i = 0; i < operations.Count; i++)
            {
                ids.Append(i == 0 ? "\"" : ",\"").Append(OperationKey(operations[i].Id)).Append('"');
            }

            var command = _statements.FindRecorded;
            command.Parameters[0].Value = ids.Append(']').ToString();
            command.Parameters[1].Value = _clientId;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _recordedRows[reader.GetString(0)] = RecordedRow.Read(reader, 1);
            }
        }

        private void LoadRows(IReadOnlyList<PushOperation> operations)
        {
            var buffer = new ArrayBufferWriter<byte>(operations.Count * 48);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var op in operations)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(op.ResourceType);
                    writer.WriteStringValue(op.ResourceId);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }

            var command = _statements.FindResources;
            command.Parameters[0].Value = Encoding.UTF8.GetString(buffer.WrittenSpan);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _rows[(reader.GetString(0), reader.GetString(1))] = new ResourceRow(
                    reader.GetInt64(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4) != 0,
                    ParseTime(reader.GetString(5)),
                    reader.GetInt64(6));
            }
        }

        private PushOperationResult Change(PushOperation op, long version, string? data)
        {
            Sequence++;
            var key = (op.ResourceType!, op.ResourceId!);
            if (!_rows.TryGetValue(key, out var before) || before.Sequence <= _firstSequence)
            {
                // First change of this resource in the batch; later ones only replace its final state.
                _changed.Add(key);
            }

            _rows[key] = new ResourceRow(version, data, data is null, _now, Sequence);
            return Record(op, new PushOperationResult
            {
                OperationId = op.Id,
                Status = PushOperationStatus.Applied,
                Version = version,
                ServerUpdatedAt = _now,
            });
        }

        private PushOperationResult Unchanged(PushOperation op, ResourceRow? row) => Record(op, new PushOperationResult
        {
            OperationId = op.Id,
            Status = PushOperationStatus.Applied,
            Version = row?.Version,
            ServerDeleted = row is null || row.Deleted,
            ServerUpdatedAt = row?.UpdatedAt,
        });

        private PushOperationResult Record(PushOperation op, PushOperationResult result)
        {
            var writer = _dedupeWriter;
            writer.WriteStartArray();
            writer.WriteStringValue(OperationKey(op.Id));
            writer.WriteStringValue(op.ResourceType);
            writer.WriteStringValue(op.ResourceId);
            if (result.Version is { } version)
            {
                writer.WriteNumberValue(version);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteNumberValue(result.ServerDeleted ? 1 : 0);
            if (result.ServerUpdatedAt is { } updatedAt)
            {
                writer.WriteStringValue(updatedAt.Equals(_now) ? _nowText : FormatTime(updatedAt));
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndArray();
            _recorded[op.Id] = result;
            return result;
        }

        /// <summary>Writes the batch's changes (each resource at its final state) and its dedupe records.</summary>
        public void Flush()
        {
            if (_changed.Count > 0)
            {
                var buffer = new ArrayBufferWriter<byte>(_changed.Count * 128);
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartArray();
                    foreach (var key in _changed)
                    {
                        var row = _rows[key];
                        writer.WriteStartArray();
                        writer.WriteStringValue(key.Type);
                        writer.WriteStringValue(key.Id);
                        writer.WriteNumberValue(row.Version);
                        if (row.Data is null)
                        {
                            writer.WriteNullValue();
                        }
                        else
                        {
                            writer.WriteStringValue(row.Data);
                        }

                        writer.WriteNumberValue(row.Deleted ? 1 : 0);
                        writer.WriteNumberValue(row.Sequence);
                        writer.WriteEndArray();
                    }

                    writer.WriteEndArray();
                }

                var upsert = _statements.UpsertResource;
                upsert.Parameters[0].Value = Encoding.UTF8.GetString(buffer.WrittenSpan);
                upsert.Parameters[1].Value = _nowText;
                upsert.ExecuteNonQuery();
            }

            _dedupeWriter.WriteEndArray();
            _dedupeWriter.Flush();
            if (_recorded.Count > 0)
            {
                var insert = _statements.InsertDedupe;
                insert.Parameters[0].Value = Encoding.UTF8.GetString(_dedupeRows.WrittenSpan);
                insert.Parameters[1].Value = _clientId;
                insert.Parameters[2].Value = _nowText;
                insert.ExecuteNonQuery();
            }

            _dedupeWriter.Dispose();
        }
    }
}
