using System.Globalization;
using System.Security.Cryptography;
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
public sealed class SqliteSyncServerStore : ISyncServerStore, IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS resources (
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NULL,
            deleted INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (resource_type, resource_id));
        CREATE UNIQUE INDEX IF NOT EXISTS ix_resources_seq ON resources (seq);
        CREATE INDEX IF NOT EXISTS ix_resources_id ON resources (resource_id);
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
            PRIMARY KEY (client_id, operation_id));
        CREATE TABLE IF NOT EXISTS change_sequence (
            id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL);
        INSERT OR IGNORE INTO change_sequence (id, value) VALUES (1, 0);
        """;

    private readonly string _connectionString;
    private readonly string _contentRoot;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
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

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
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
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            using var batch = new PushBatch(connection, transaction, clientId, ReadSequence(connection, transaction), _timeProvider.GetUtcNow());
            var results = new PushOperationResult[operations.Count];
            for (var i = 0; i < operations.Count; i++)
            {
                results[i] = batch.Apply(operations[i], validate);
            }

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
        command.CommandText = "SELECT result FROM dedupe WHERE client_id = $client AND operation_id = $op";
        command.Parameters.AddWithValue("$client", clientId);
        command.Parameters.AddWithValue("$op", OperationKey(operationId));
        var json = command.ExecuteScalar() as string;
        return ValueTask.FromResult(json is null ? null : JsonSerializer.Deserialize(json, SyncJsonContext.Default.PushOperationResult));
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

    /// <summary>Releases pooled connections so the database file can be deleted.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
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
        pragma.CommandText = "PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private sealed record ResourceRow(long Version, string? Data, bool Deleted, DateTimeOffset UpdatedAt, long Sequence);

    /// <summary>One push batch inside its transaction, with its commands prepared once.</summary>
    private sealed class PushBatch : IDisposable
    {
        private readonly string _clientId;
        private readonly DateTimeOffset _now;
        private readonly string _nowText;
        private readonly SqliteCommand _selectDedupe;
        private readonly SqliteCommand _insertDedupe;
        private readonly SqliteCommand _selectResource;
        private readonly SqliteCommand _upsertResource;

        public PushBatch(SqliteConnection connection, SqliteTransaction transaction, string clientId, long sequence, DateTimeOffset now)
        {
            _clientId = clientId;
            _now = now;
            _nowText = FormatTime(now);
            Sequence = sequence;
            _selectDedupe = Prepare(connection, transaction, "SELECT result FROM dedupe WHERE client_id = $client AND operation_id = $op", "$client", "$op");
            _insertDedupe = Prepare(
                connection,
                transaction,
                "INSERT INTO dedupe (client_id, operation_id, resource_type, resource_id, result, recorded_at) VALUES ($client, $op, $type, $id, $result, $at)",
                "$client",
                "$op",
                "$type",
                "$id",
                "$result",
                "$at");
            _selectResource = Prepare(
                connection,
                transaction,
                "SELECT version, data, deleted, updated_at, seq FROM resources WHERE resource_type = $type AND resource_id = $id",
                "$type",
                "$id");
            _upsertResource = Prepare(
                connection,
                transaction,
                """
                INSERT INTO resources (resource_type, resource_id, version, data, deleted, updated_at, seq)
                VALUES ($type, $id, $version, $data, $deleted, $at, $seq)
                ON CONFLICT (resource_type, resource_id) DO UPDATE SET version = excluded.version, data = excluded.data,
                    deleted = excluded.deleted, updated_at = excluded.updated_at, seq = excluded.seq
                """,
                "$type",
                "$id",
                "$version",
                "$data",
                "$deleted",
                "$at",
                "$seq");
        }

        public long Sequence { get; private set; }

        public PushOperationResult Apply(PushOperation op, Func<PushOperation, string?>? validate)
        {
            var opKey = OperationKey(op.Id);
            _selectDedupe.Parameters["$client"].Value = _clientId;
            _selectDedupe.Parameters["$op"].Value = opKey;
            if (_selectDedupe.ExecuteScalar() is string recorded)
            {
                var first = JsonSerializer.Deserialize(recorded, SyncJsonContext.Default.PushOperationResult)!;
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

        public void Dispose()
        {
            _selectDedupe.Dispose();
            _insertDedupe.Dispose();
            _selectResource.Dispose();
            _upsertResource.Dispose();
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

        private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            }

            command.Prepare();
            return command;
        }

        private ResourceRow? ReadRow(string type, string id)
        {
            _selectResource.Parameters["$type"].Value = type;
            _selectResource.Parameters["$id"].Value = id;
            using var reader = _selectResource.ExecuteReader();
            return reader.Read()
                ? new ResourceRow(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2) != 0, ParseTime(reader.GetString(3)), reader.GetInt64(4))
                : null;
        }

        private PushOperationResult Change(PushOperation op, long version, string? data)
        {
            Sequence++;
            var upsert = _upsertResource.Parameters;
            upsert["$type"].Value = op.ResourceType;
            upsert["$id"].Value = op.ResourceId;
            upsert["$version"].Value = version;
            upsert["$data"].Value = (object?)data ?? DBNull.Value;
            upsert["$deleted"].Value = data is null ? 1 : 0;
            upsert["$at"].Value = _nowText;
            upsert["$seq"].Value = Sequence;
            _upsertResource.ExecuteNonQuery();
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
            var insert = _insertDedupe.Parameters;
            insert["$client"].Value = _clientId;
            insert["$op"].Value = OperationKey(op.Id);
            insert["$type"].Value = op.ResourceType;
            insert["$id"].Value = op.ResourceId;
            insert["$result"].Value = JsonSerializer.Serialize(result, SyncJsonContext.Default.PushOperationResult);
            insert["$at"].Value = _nowText;
            _insertDedupe.ExecuteNonQuery();
            return result;
        }
    }
}
