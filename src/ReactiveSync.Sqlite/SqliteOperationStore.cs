using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Sqlite;

/// <summary>
/// The durable <see cref="IOperationStore"/>: the seed's <c>offline_operations</c> table in a SQLite file, with
/// <c>journal_mode=WAL</c> and <c>synchronous=FULL</c>, so a committed operation survives a crash or power loss.
/// </summary>
/// <remarks>
/// One connection writes, one transaction at a time; reads use pooled connections and see committed data only.
/// Timestamps are fixed-width ISO-8601 UTC text (<c>2025-01-01T12:00:00.0000000Z</c>), which sorts as time.
/// The schema is versioned (component <c>operations</c> in the <c>schema_version</c> table) and migrated forward on
/// open, including a file made by the seed; a file from a newer version throws <see cref="SqliteSchemaVersionException"/>.
/// Selection reads only indexes: (state, priority, sequence), (resource_type, resource_id, sequence), dependencies by
/// the operation they wait for, and scheduled retries by time.
/// Failures are typed and name the file: a damaged file throws <see cref="SqliteDatabaseCorruptException"/> (nothing is
/// written to it), any other SQLite failure (disk full, I/O) a <see cref="SyncException"/> of type
/// <see cref="SyncErrorType.Storage"/>; a write that fails leaves what was committed before it intact.
/// </remarks>
public sealed class SqliteOperationStore : IOperationStore
{
    /// <summary>The newest schema version this code writes.</summary>
    public const int SchemaVersion = 1;

    private const string Columns =
        "id, operation_type, resource_type, resource_id, data, priority, retry_count, max_retries, created_at, scheduled_at, " +
        "last_attempt_at, error_message, conflict_resolution, state, sequence, base_version, base_data, depends_on, client_timestamp, ever_sent, error_type";

    internal const string PendingWindowSql =
        $"SELECT {Columns} FROM offline_operations WHERE state = 0 AND priority = $p AND sequence > $after ORDER BY sequence LIMIT $limit;";

    // One statement per window: each row says whether it is first on its resource (a seek of the resource index) and
    // waits for no stored dependency (seeks of the dependency key and the id key), so ineligible rows are never built.
    // The window is still LIMIT rows of the (state, priority, sequence) index: a long blocked run costs no more per call.
    internal const string PendingScanSql =
        $"SELECT {Columns}, " +
        "NOT EXISTS (SELECT 1 FROM offline_operations e WHERE e.resource_type = o.resource_type AND e.resource_id = coalesce(o.resource_id, '') AND e.sequence < o.sequence) " +
        "AND (o.depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM operation_dependencies d JOIN offline_operations x ON x.id = d.depends_on_id WHERE d.operation_id = o.id)) " +
        "FROM offline_operations o WHERE o.state = 0 AND o.priority = $p AND o.sequence > $after ORDER BY o.sequence LIMIT $limit;";

    // One index seek per priority; the lowest sequence is the oldest (sequences follow the scheduler's clock).
    internal const string OldestPendingSql = """
        SELECT created_at FROM (
          SELECT * FROM (SELECT sequence, created_at FROM offline_operations WHERE state = 0 AND priority = 3 ORDER BY sequence LIMIT 1)
          UNION ALL SELECT * FROM (SELECT sequence, created_at FROM offline_operations WHERE state = 0 AND priority = 2 ORDER BY sequence LIMIT 1)
          UNION ALL SELECT * FROM (SELECT sequence, created_at FROM offline_operations WHERE state = 0 AND priority = 1 ORDER BY sequence LIMIT 1)
          UNION ALL SELECT * FROM (SELECT sequence, created_at FROM offline_operations WHERE state = 0 AND priority = 0 ORDER BY sequence LIMIT 1)
        ) ORDER BY sequence LIMIT 1;
        """;

    internal const string EarlierOnResourceSql =
        "SELECT 1 FROM offline_operations WHERE resource_type = $rt AND resource_id = $rid AND sequence < $seq LIMIT 1;";

    internal const string LastOnResourceSql =
        $"SELECT {Columns} FROM offline_operations WHERE resource_type = $rt AND resource_id = $rid ORDER BY sequence DESC LIMIT 1;";

    internal const string ByStateSql =
        $"SELECT {Columns} FROM offline_operations WHERE state = $s ORDER BY priority DESC, sequence LIMIT $limit OFFSET $offset;";

    internal const string UpsertMetaSql =
        "INSERT INTO offline_operations_meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";

    internal const string MarkInFlightSql =
        "UPDATE offline_operations SET state = $state, last_attempt_at = $attempt, ever_sent = 1 WHERE id IN (SELECT value FROM json_each($ids));";

    internal const string DeleteManySql =
        $"DELETE FROM offline_operations WHERE id IN (SELECT value FROM json_each($ids)) RETURNING {Columns};";

    // What a removal of operations the caller holds needs back: which were stored, and whether they may have been sent or had dependencies.
    internal const string DeleteKnownSql =
        "DELETE FROM offline_operations WHERE id IN (SELECT value FROM json_each($ids)) RETURNING id, ever_sent, sequence, depends_on IS NOT NULL;";

    internal const string DeleteManyDependenciesSql =
        "DELETE FROM operation_dependencies WHERE operation_id IN (SELECT value FROM json_each($ids));";

    internal const string HasDependentsSql = "SELECT 1 FROM operation_dependencies WHERE depends_on_id = $id LIMIT 1;";

    // Named explicitly: without statistics the planner would rather walk every pending row by state.
    internal const string NextRetryDueSql =
        "SELECT min(scheduled_at) FROM offline_operations INDEXED BY ix_offline_operations_retry_due WHERE state = 0 AND retry_count > 0 AND scheduled_at > $after;";

    private static readonly IReadOnlyList<Action<SqliteConnection>> Migrations = [MigrateToVersion1];

    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> _rawStatements = new(StringComparer.Ordinal);
    private SqliteConnection? _writer;
    private long _lastSequence;
    private long _persistedSequence;
    private long _sentHorizon;
    private bool _disposed;
    private int _syncedCommits;

    /// <summary>Creates a store over the SQLite file at <paramref name="databasePath"/> (created on open if missing).</summary>
    public SqliteOperationStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _databasePath = databasePath;
        _connectionString = SqliteDatabase.ConnectionString(databasePath);
    }

    /// <summary>How many commits waited for the disk (an fsync of the WAL) since the store was created; for tests.</summary>
    internal int SyncedCommits => Volatile.Read(ref _syncedCommits);

    /// <summary>Test hook: runs on the writer connection right after it opens (e.g. <c>PRAGMA max_page_count</c> to fill the disk).</summary>
    internal Action<SqliteConnection>? ConfigureWriter { get; init; }

    /// <inheritdoc/>
    /// <exception cref="SqliteSchemaVersionException">The file was written by a newer schema.</exception>
    /// <exception cref="SqliteDatabaseCorruptException">The file is damaged or not a SQLite database; it is left as it was.</exception>
    /// <exception cref="SyncException">The file cannot be opened or written (type Storage; the message names the file).</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return;
            }

            SqliteConnection? writer = null;
            try
            {
                writer = SqliteDatabase.OpenWriter(_connectionString);
                ConfigureWriter?.Invoke(writer);
                SqliteDatabase.Migrate(writer, _databasePath, "operations", Migrations);
                using var command = writer.CreateCommand();
                command.CommandText =
                    "SELECT coalesce((SELECT max(sequence) FROM offline_operations), 0), coalesce((SELECT value FROM offline_operations_meta WHERE key = 'last_sequence'), 0), " +
                    "coalesce((SELECT value FROM offline_operations_meta WHERE key = 'sent_horizon'), 0);";
                using (var reader = command.ExecuteReader())
                {
                    reader.Read();
                    _persistedSequence = reader.GetInt64(1);
                    _lastSequence = Math.Max(reader.GetInt64(0), _persistedSequence);
                    _sentHorizon = reader.GetInt64(2);
                }
            }
            catch (Exception ex)
            {
                // Release the file at once (pooled handles too), so the app can move a damaged one aside.
                if (writer is not null)
                {
                    SqliteConnection.ClearPool(writer);
                    writer.Dispose();
                }

                if (ex is SqliteException sqlite)
                {
                    throw SqliteDatabase.Translate(sqlite, _databasePath);
                }

                throw;
            }

            _writer = writer;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="SyncException">SQLite failed (type Storage, e.g. the disk is full); nothing of the transaction is kept.</exception>
    /// <exception cref="SqliteDatabaseCorruptException">The file turned out to be damaged; nothing of the transaction is kept.</exception>
    public Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(work, relaxed: false, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// The commit skips the fsync (<c>synchronous=NORMAL</c> for this one transaction). Under WAL it is then safe from
    /// a process crash at once (the WAL is in the OS's page cache) and reaches the disk with the next synced commit (an
    /// fsync of the WAL covers every frame before it); only a power cut or an OS crash before that can lose it, and
    /// losing it is harmless: recovery turns in-flight operations back to pending anyway, a completed operation comes
    /// back and the server's dedupe answers its resend 'duplicate', and coalescing treats every operation at or below
    /// the durable sent horizon as possibly sent, whatever its own mark says. When the work had to raise that horizon,
    /// removed an operation never sent, or wrote anything else, a synced commit follows before this completes, so the
    /// horizon is on disk before any push of those operations leaves.
    /// </remarks>
    /// <exception cref="SyncException">SQLite failed (type Storage); nothing of the transaction is kept, or, when only the
    /// closing sync failed, the message says so.</exception>
    public Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(work, relaxed: true, cancellationToken);

    private async Task<T> WriteCoreAsync<T>(Func<IOperationStoreTransaction, T> work, bool relaxed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var relaxedNow = false;
        try
        {
            var writer = Writer();
            try
            {
                if (relaxed)
                {
                    // The safety level cannot change inside a transaction: choose it before BEGIN.
                    Command("PRAGMA synchronous=NORMAL;").ExecuteNonQuery();
                    relaxedNow = true;
                }

                SqliteDatabase.Execute(writer, "BEGIN IMMEDIATE;");
            }
            catch (SqliteException ex)
            {
                throw SqliteDatabase.Translate(ex, _databasePath);
            }

            var tx = new Transaction(this, _lastSequence, _sentHorizon);
            try
            {
                var result = work(tx);
                // The highest sequence is implied by the rows until a delete might remove it; only then record it,
                // so insert-only commits write no extra page. It needs no sync of its own: it commits with the delete, and
                // if a power cut loses both, the deleted rows imply it again.
                var persist = tx.Deleted && tx.LastSequence > _persistedSequence;
                if (persist)
                {
                    Command(UpsertMetaSql, ("$k", "last_sequence"), ("$v", tx.LastSequence)).ExecuteNonQuery();
                }

                SqliteDatabase.Execute(writer, "COMMIT;");
                if (!relaxedNow)
                {
                    Interlocked.Increment(ref _syncedCommits);
                }

                _lastSequence = tx.LastSequence;
                _sentHorizon = tx.SentHorizon;
                if (persist)
                {
                    _persistedSequence = tx.LastSequence;
                }

                if (relaxedNow)
                {
                    RestoreFullSync();
                    relaxedNow = false;
                    if (tx.NeedsSync)
                    {
                        SyncCommitted(tx.SentHorizon);
                    }
                }

                return result;
            }
            catch (Exception ex)
            {
                // After a failed COMMIT SQLite may already have rolled back; roll back only an open transaction.
                try
                {
                    if (SQLitePCL.raw.sqlite3_get_autocommit(writer.Handle) == 0)
                    {
                        SqliteDatabase.Execute(writer, "ROLLBACK;");
                    }
                }
                catch (SqliteException rollback)
                {
                    throw SqliteDatabase.Translate(rollback, _databasePath);
                }

                if (ex is SqliteException sqlite)
                {
                    throw SqliteDatabase.Translate(sqlite, _databasePath);
                }

                throw;
            }
        }
        finally
        {
            if (relaxedNow)
            {
                // Back to a full fsync for every other commit, even when this one failed.
                try
                {
                    RestoreFullSync();
                }
                catch (SqliteException)
                {
                    // The failure that got here is the one to report; a writer that cannot set its pragma fails next time.
                }
            }

            _writeLock.Release();
        }
    }

    private void RestoreFullSync() => Command("PRAGMA synchronous=FULL;").ExecuteNonQuery();

    /// <summary>
    /// Makes a relaxed commit durable: one more (tiny) commit under <c>synchronous=FULL</c> fsyncs the WAL, and with it
    /// every frame before it. It rewrites the sent horizon, the value that had to reach the disk.
    /// </summary>
    private void SyncCommitted(long sentHorizon)
    {
        var writer = Writer();
        try
        {
            SqliteDatabase.Execute(writer, "BEGIN IMMEDIATE;");
            Command(UpsertMetaSql, ("$k", "sent_horizon"), ("$v", sentHorizon)).ExecuteNonQuery();
            SqliteDatabase.Execute(writer, "COMMIT;");
            Interlocked.Increment(ref _syncedCommits);
        }
        catch (SqliteException ex)
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(writer.Handle) == 0)
            {
                SqliteDatabase.Execute(writer, "ROLLBACK;");
            }

            throw new SyncException(
                SyncError.Of(SyncErrorType.Storage, $"The database '{_databasePath}' committed in-flight marks or completions but could not sync them to disk (SQLite error {ex.SqliteErrorCode}): {ex.Message}"),
                ex);
        }
    }

    /// <inheritdoc/>
    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default) =>
        ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM offline_operations WHERE id = $id;";
            command.Parameters.AddWithValue("$id", operationId.ToString());
            return ReadAll(command).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync<IReadOnlyList<OfflineOperation>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = ByStateSql;
            command.Parameters.AddWithValue("$s", (int)state);
            command.Parameters.AddWithValue("$limit", limit);
            command.Parameters.AddWithValue("$offset", offset);
            return ReadAll(command);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default) =>
        ReadAsync(connection =>
        {
            // A pending operation is due later than now only after a retry was scheduled (retry_count > 0): a small partial index.
            using var command = connection.CreateCommand();
            command.CommandText = NextRetryDueSql;
            command.Parameters.AddWithValue("$after", SqliteDatabase.ToText(after));
            return command.ExecuteScalar() is string text ? SqliteDatabase.FromText(text) : (DateTimeOffset?)null;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(OldestPendingCreatedAt, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<OperationCount>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, priority, resource_type, count(*) FROM offline_operations GROUP BY state, priority, resource_type;";
            using var reader = command.ExecuteReader();
            var counts = new List<OperationCount>();
            while (reader.Read())
            {
                counts.Add(new OperationCount(
                    (OperationState)reader.GetInt32(0), (SyncPriority)reader.GetInt32(1), ResourceTypeOf(reader.GetString(2)), reader.GetInt32(3)));
            }

            return counts;
        }, cancellationToken);

    /// <summary>Closes the connections and releases the file. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            _commands.Clear();
            foreach (var statement in _rawStatements.Values)
            {
                statement.Dispose();
            }

            _rawStatements.Clear();
            if (_writer is not null)
            {
                SqliteConnection.ClearPool(_writer);
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void MigrateToVersion1(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'offline_operations';";
        if ((long)exists.ExecuteScalar()! == 0)
        {
            SqliteDatabase.Execute(connection, """
                CREATE TABLE offline_operations (
                  id TEXT PRIMARY KEY,
                  operation_type TEXT NOT NULL,
                  resource_type TEXT NOT NULL,
                  resource_id TEXT,
                  data TEXT NOT NULL,
                  priority INTEGER NOT NULL DEFAULT 1,
                  retry_count INTEGER NOT NULL DEFAULT 0,
                  max_retries INTEGER NOT NULL DEFAULT 3,
                  created_at TEXT NOT NULL,
                  scheduled_at TEXT NOT NULL,
                  last_attempt_at TEXT,
                  error_message TEXT,
                  conflict_resolution TEXT,
                  state INTEGER NOT NULL DEFAULT 0,
                  sequence INTEGER,
                  base_version INTEGER,
                  base_data TEXT,
                  depends_on TEXT,
                  client_timestamp TEXT,
                  ever_sent INTEGER NOT NULL DEFAULT 0,
                  error_type TEXT
                );
                """);
        }
        else
        {
            // A file made by the seed: add what the guarantees need, keep its rows in their insertion order.
            using var info = connection.CreateCommand();
            info.CommandText = "SELECT name FROM pragma_table_info('offline_operations');";
            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var reader = info.ExecuteReader())
            {
                while (reader.Read())
                {
                    present.Add(reader.GetString(0));
                }
            }

            (string Name, string Definition)[] added =
            [
                ("state", "INTEGER NOT NULL DEFAULT 0"), ("sequence", "INTEGER"), ("base_version", "INTEGER"), ("base_data", "TEXT"),
                ("depends_on", "TEXT"), ("client_timestamp", "TEXT"), ("ever_sent", "INTEGER NOT NULL DEFAULT 0"), ("error_type", "TEXT"),
            ];
            foreach (var (name, definition) in added.Where(c => !present.Contains(c.Name)))
            {
                SqliteDatabase.Execute(connection, $"ALTER TABLE offline_operations ADD COLUMN {name} {definition};");
            }

            SqliteDatabase.Execute(connection, """
                UPDATE offline_operations SET sequence = rowid WHERE sequence IS NULL;
                UPDATE offline_operations SET client_timestamp = created_at WHERE client_timestamp IS NULL;
                """);
        }

        SqliteDatabase.Execute(connection, """
            CREATE INDEX IF NOT EXISTS ix_offline_operations_state_priority_sequence ON offline_operations (state, priority DESC, sequence);
            CREATE INDEX IF NOT EXISTS ix_offline_operations_resource_sequence ON offline_operations (resource_type, resource_id, sequence);
            CREATE INDEX IF NOT EXISTS ix_offline_operations_retry_due ON offline_operations (scheduled_at) WHERE state = 0 AND retry_count > 0;
            CREATE TABLE IF NOT EXISTS operation_dependencies (
              operation_id TEXT NOT NULL,
              depends_on_id TEXT NOT NULL,
              PRIMARY KEY (operation_id, depends_on_id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ix_operation_dependencies_depends_on ON operation_dependencies (depends_on_id);
            CREATE TABLE IF NOT EXISTS offline_operations_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            """);
    }

    private SqliteConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer ?? throw new InvalidOperationException("The store is not open: call OpenAsync first.");
    }

    /// <summary>A statement prepared once on the writer and run through SQLitePCL (see <see cref="RawStatement"/>), for the hottest statements.</summary>
    private RawStatement Raw(string sql)
    {
        if (!_rawStatements.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(Writer(), sql);
            _rawStatements[sql] = statement;
        }

        return statement;
    }

    /// <summary>A cached, prepared command on the writer connection, with its parameters set.</summary>
    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Writer().CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands[sql] = command;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
        }

        return command;
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await using var connection = SqliteDatabase.OpenReader(_connectionString);
            return read(connection);
        }
        catch (SqliteException ex)
        {
            throw SqliteDatabase.Translate(ex, _databasePath);
        }
    }

    private static DateTimeOffset? OldestPendingCreatedAt(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = OldestPendingSql;
        return OldestPendingCreatedAt(command);
    }

    private static DateTimeOffset? OldestPendingCreatedAt(SqliteCommand command) =>
        command.ExecuteScalar() is string text ? SqliteDatabase.FromText(text) : null;

    private static List<OfflineOperation> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var list = new List<OfflineOperation>();
        while (reader.Read())
        {
            list.Add(Map(new DataReaderRow(reader)));
        }

        return list;
    }

    private static OfflineOperation Map<TRow>(TRow r)
        where TRow : ISqliteRow => new()
    {
        Id = Guid.Parse(r.Text(0)),
        Type = Enum.Parse<OperationType>(r.Text(1), ignoreCase: true),
        ResourceType = ResourceTypeOf(r.Text(2)),
        ResourceId = r.NullableText(3) ?? string.Empty,
        Data = JsonNode.Parse(r.Text(4)),
        Priority = (SyncPriority)r.Int64(5),
        RetryCount = (int)r.Int64(6),
        MaxRetries = (int)r.Int64(7),
        CreatedAt = Timestamp(r.Text(8)),
        ScheduledAt = Timestamp(r.Text(9)),
        LastAttemptAt = r.NullableText(10) is { } attempt ? Timestamp(attempt) : null,
        ErrorMessage = r.NullableText(11),
        ConflictResolution = r.NullableText(12) is { } strategy ? Enum.Parse<ConflictResolutionStrategy>(strategy, ignoreCase: true) : null,
        State = (OperationState)r.Int64(13),
        Sequence = r.Int64(14),
        BaseVersion = r.NullableInt64(15),
        BaseData = r.NullableText(16) is { } baseData ? JsonNode.Parse(baseData) : null,
        DependsOn = r.NullableText(17) is { } dependsOn ? dependsOn.Split(',').Select(Guid.Parse).ToArray() : [],
        ClientTimestamp = Timestamp(r.Text(18)),
        EverSent = r.Int64(19) != 0,
        ErrorType = r.NullableText(20) is { } errorType ? Enum.Parse<SyncErrorType>(errorType, ignoreCase: true) : null,
    };

    private static DateTimeOffset Timestamp(string text) => SqliteDatabase.FromText(text);

    // A handful of names repeat across millions of rows: validate each once.
    private static ResourceType ResourceTypeOf(string name) => ResourceTypes.GetOrAdd(name, static n => ResourceType.From(n));

    private static readonly string[] ColumnNames = Columns.Split(", ");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ResourceType> ResourceTypes = new(StringComparer.Ordinal);

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static (string Name, object? Value)[] Row(OfflineOperation op, bool withJson = true) =>
    [
        ("$id", op.Id.ToString()),
        ("$type", op.Type.ToString()),
        ("$rt", op.ResourceType.Value),
        ("$rid", op.ResourceId),
        ("$data", withJson ? Json(op.Data) : null),
        ("$priority", (int)op.Priority),
        ("$retry", op.RetryCount),
        ("$max", op.MaxRetries),
        ("$created", SqliteDatabase.ToText(op.CreatedAt)),
        ("$scheduled", SqliteDatabase.ToText(op.ScheduledAt)),
        ("$attempt", op.LastAttemptAt is { } at ? SqliteDatabase.ToText(at) : null),
        ("$error", op.ErrorMessage),
        ("$strategy", op.ConflictResolution?.ToString()),
        ("$state", (int)op.State),
        ("$seq", op.Sequence),
        ("$basever", op.BaseVersion),
        ("$basedata", withJson ? op.BaseData?.ToJsonString() : null),
        ("$deps", op.DependsOn.Count == 0 ? null : string.Join(',', op.DependsOn)),
        ("$client", SqliteDatabase.ToText(op.ClientTimestamp)),
        ("$sent", op.EverSent ? 1 : 0),
        ("$errtype", op.ErrorType?.ToString()),
    ];

    private sealed class Transaction(SqliteOperationStore store, long lastSequence, long sentHorizon) : IOperationStoreTransaction
    {
        private const string InsertSql =
            $"INSERT INTO offline_operations ({Columns}) VALUES ($id, $type, $rt, $rid, $data, $priority, $retry, $max, $created, $scheduled, " +
            "$attempt, $error, $strategy, $state, $seq, $basever, $basedata, $deps, $client, $sent, $errtype);";

        private bool _inSavepoint;
        private Exception? _failure;

        public long LastSequence { get; private set; } = lastSequence;

        public bool Deleted { get; private set; }

        /// <summary>
        /// The durable 'may have been sent' horizon: every operation whose sequence is at or below it is treated as
        /// possibly known to the server, whether or not its own ever-sent mark survived a crash.
        /// </summary>
        public long SentHorizon { get; private set; } = sentHorizon;

        /// <summary>Whether the commit must reach the disk before it is acknowledged: any write but covered in-flight marks.</summary>
        public bool NeedsSync { get; private set; }

        public void MarkDurable() => NeedsSync = true;

        public long NextSequence() => ++LastSequence;

        public bool MayHaveBeenSent(OfflineOperation operation)
        {
            ArgumentNullException.ThrowIfNull(operation);
            return MayHaveBeenSent(operation.EverSent, operation.Sequence);
        }

        private bool MayHaveBeenSent(bool everSent, long sequence) => everSent || sequence <= SentHorizon;

        public IReadOnlyList<OfflineOperation> MarkInFlight(IReadOnlyList<OfflineOperation> operations, DateTimeOffset attemptAt)
        {
            ArgumentNullException.ThrowIfNull(operations);
            if (operations.Count == 0)
            {
                return [];
            }

            // The mark itself need not be durable (recovery undoes it), but 'this operation may have been sent' must
            // be before the push leaves: when one lies above the horizon, raise the horizon to every sequence handed
            // out so far, in this transaction, and sync it. One synced commit thus covers the whole backlog; later
            // takes of it commit without an fsync. The cost: operations queued before a take never fold with later
            // changes (coalescing is for what piles up offline, before any take).
            if (operations.Any(op => op.Sequence > SentHorizon))
            {
                SentHorizon = LastSequence;
                MarkDurable();
                NonQuery(store.Command(UpsertMetaSql, ("$k", "sent_horizon"), ("$v", SentHorizon)));
            }

            var changed = NonQuery(store.Command(
                MarkInFlightSql, ("$state", (int)OperationState.InFlight), ("$attempt", SqliteDatabase.ToText(attemptAt)), ("$ids", IdsJson(operations.Select(op => op.Id)))));
            if (changed != operations.Count)
            {
                throw new InvalidOperationException($"Marking {operations.Count} operations in flight changed {changed} rows: some were not stored.");
            }

            var updated = new OfflineOperation[operations.Count];
            for (var i = 0; i < updated.Length; i++)
            {
                updated[i] = operations[i] with { State = OperationState.InFlight, LastAttemptAt = attemptAt, EverSent = true };
            }

            return updated;
        }

        public IReadOnlyList<OfflineOperation> DeleteMany(IReadOnlyCollection<Guid> operationIds)
        {
            ArgumentNullException.ThrowIfNull(operationIds);
            if (operationIds.Count == 0)
            {
                return [];
            }

            Deleted = true;
            var ids = IdsJson(operationIds);
            var deleted = Query(store.Command(DeleteManySql, ("$ids", ids)));

            // Removing what may have been sent (a completion) may be lost in a power cut: the operation comes back and
            // its resend is answered 'duplicate'. Removing anything else must reach the disk before it is acknowledged.
            if (deleted.Any(op => !MayHaveBeenSent(op)))
            {
                MarkDurable();
            }

            if (deleted.Any(op => op.DependsOn.Count > 0))
            {
                NonQuery(store.Command(DeleteManyDependenciesSql, ("$ids", ids)));
            }

            return deleted;
        }

        public IReadOnlyList<OfflineOperation> DeleteKnown(IReadOnlyList<OfflineOperation> operations)
        {
            ArgumentNullException.ThrowIfNull(operations);
            if (operations.Count == 0)
            {
                return [];
            }

            // The caller holds the rows: read back only what the removal decides on, not the whole row and its JSON.
            var byId = new Dictionary<string, OfflineOperation>(operations.Count, StringComparer.Ordinal);
            foreach (var op in operations)
            {
                byId[op.Id.ToString()] = op;
            }

            Deleted = true;
            var ids = IdsJson(operations.Select(op => op.Id));
            var deleted = new List<OfflineOperation>(operations.Count);
            var anyDependencies = false;
            // Each completion runs this: read through SQLitePCL, as the pending scan is.
            Raw(DeleteKnownSql, row =>
            {
                row.Bind("$ids", ids);
                while (row.Step())
                {
                    deleted.Add(byId[row.Text(0)]);
                    if (!MayHaveBeenSent(everSent: row.Int64(1) != 0, sequence: row.Int64(2)))
                    {
                        MarkDurable();
                    }

                    anyDependencies |= row.Int64(3) != 0;
                }

                return deleted.Count;
            });

            if (anyDependencies)
            {
                NonQuery(store.Command(DeleteManyDependenciesSql, ("$ids", ids)));
            }

            return deleted;
        }

        private static string IdsJson(IEnumerable<Guid> ids)
        {
            var json = new System.Text.StringBuilder("[");
            foreach (var id in ids)
            {
                json.Append(json.Length == 1 ? "\"" : ",\"").Append(id.ToString()).Append('"');
            }

            return json.Append(']').ToString();
        }

        public OfflineOperation? Get(Guid operationId) =>
            Query(store.Command($"SELECT {Columns} FROM offline_operations WHERE id = $id;", ("$id", operationId.ToString()))).FirstOrDefault();

        public bool Exists(Guid operationId) =>
            Scalar(store.Command("SELECT 1 FROM offline_operations WHERE id = $id;", ("$id", operationId.ToString()))) is not null;

        public OfflineOperation? GetLastOnResource(ResourceType resourceType, string resourceId) =>
            Query(store.Command(LastOnResourceSql, ("$rt", resourceType.Value), ("$rid", resourceId))).FirstOrDefault();

        public bool HasEarlierOnResource(ResourceType resourceType, string resourceId, long sequence) =>
            Scalar(store.Command(EarlierOnResourceSql, ("$rt", resourceType.Value), ("$rid", resourceId), ("$seq", sequence))) is not null;

        public bool HasDependents(Guid operationId) =>
            Scalar(store.Command(HasDependentsSql, ("$id", operationId.ToString()))) is not null;

        public IReadOnlyList<OfflineOperation> GetPendingWindow(SyncPriority priority, long afterSequence, int limit) =>
            Query(store.Command(PendingWindowSql, ("$p", (int)priority), ("$after", afterSequence), ("$limit", limit)));

        // Every take runs this, over rows it then builds: read through SQLitePCL, not a data reader.
        public PendingScan ScanPending(SyncPriority priority, long afterSequence, int limit) =>
            Raw(PendingScanSql, row =>
            {
                row.Bind("$p", (int)priority);
                row.Bind("$after", afterSequence);
                row.Bind("$limit", limit);
                var ready = new List<OfflineOperation>();
                var scanned = 0;
                var last = afterSequence;
                while (row.Step())
                {
                    scanned++;
                    last = row.Int64(14);
                    if (row.Int64(ColumnNames.Length) != 0)
                    {
                        ready.Add(Map(row));
                    }
                }

                return new PendingScan(ready, scanned, last);
            });

        public IReadOnlyList<OfflineOperation> GetByState(OperationState state, int limit) =>
            Query(store.Command(ByStateSql, ("$s", (int)state), ("$limit", limit), ("$offset", 0)));

        public DateTimeOffset? GetOldestPendingCreatedAt()
        {
            try
            {
                // Asked after every commit's work: a cached, prepared statement.
                return OldestPendingCreatedAt(store.Command(OldestPendingSql));
            }
            catch (SqliteException ex)
            {
                throw _failure = SqliteDatabase.Translate(ex, store._databasePath);
            }
        }

        public void Insert(OfflineOperation operation)
        {
            ArgumentNullException.ThrowIfNull(operation);
            // Queueing runs this once per operation, with 21 parameters: through SQLitePCL, each bound by a cached index.
            Raw(InsertSql, insert =>
            {
                foreach (var (name, value) in Row(operation))
                {
                    insert.Bind(name, value);
                }

                return insert.Execute();
            });

            MarkDurable();
            InsertDependencies(operation);
        }

        public void Update(OfflineOperation previous, OfflineOperation updated)
        {
            ArgumentNullException.ThrowIfNull(previous);
            ArgumentNullException.ThrowIfNull(updated);
            if (previous.Id != updated.Id)
            {
                throw new ArgumentException("An update keeps the operation id.", nameof(updated));
            }

            MarkDurable();

            // Write only the columns that changed, so a state change leaves untouched indexes alone.
            var before = Row(previous, withJson: false);
            var after = Row(updated, withJson: false);
            var set = new List<(string Name, object? Value)>();
            var sql = new System.Text.StringBuilder("UPDATE offline_operations SET ");
            for (var i = 1; i < after.Length; i++)
            {
                var changed = after[i].Name switch
                {
                    "$data" => !JsonNode.DeepEquals(previous.Data, updated.Data),
                    "$basedata" => !JsonNode.DeepEquals(previous.BaseData, updated.BaseData),
                    _ => !Equals(before[i].Value, after[i].Value),
                };
                if (changed)
                {
                    sql.Append(set.Count == 0 ? "" : ", ").Append(ColumnNames[i]).Append(" = ").Append(after[i].Name);
                    set.Add(after[i].Name switch
                    {
                        "$data" => ("$data", Json(updated.Data)),
                        "$basedata" => ("$basedata", updated.BaseData?.ToJsonString()),
                        _ => after[i],
                    });
                }
            }

            if (set.Count == 0)
            {
                return;
            }

            set.Add(("$id", updated.Id.ToString()));
            if (NonQuery(store.Command(sql.Append(" WHERE id = $id;").ToString(), set.ToArray())) != 1)
            {
                throw new InvalidOperationException($"Operation {updated.Id} is not stored.");
            }

            if (!previous.DependsOn.SequenceEqual(updated.DependsOn))
            {
                NonQuery(store.Command("DELETE FROM operation_dependencies WHERE operation_id = $id;", ("$id", updated.Id.ToString())));
                InsertDependencies(updated);
            }
        }

        public bool Delete(Guid operationId)
        {
            var id = operationId.ToString();
            Deleted = true;
            MarkDurable();
            NonQuery(store.Command("DELETE FROM operation_dependencies WHERE operation_id = $id;", ("$id", id)));
            return NonQuery(store.Command("DELETE FROM offline_operations WHERE id = $id;", ("$id", id))) == 1;
        }

        public int DeleteAll()
        {
            Deleted = true;
            MarkDurable();
            NonQuery(store.Command("DELETE FROM operation_dependencies;"));
            return NonQuery(store.Command("DELETE FROM offline_operations;"));
        }

        public void CreateSavepoint()
        {
            if (_inSavepoint)
            {
                throw new InvalidOperationException("Savepoints do not nest.");
            }

            NonQuery(store.Command("SAVEPOINT item;"));
            _inSavepoint = true;
        }

        public void ReleaseSavepoint()
        {
            NonQuery(store.Command("RELEASE item;"));
            _inSavepoint = false;
        }

        public void RollbackToSavepoint()
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(store.Writer().Handle) != 0)
            {
                // SQLite rolled back the whole transaction itself (it may on SQLITE_FULL or an I/O error): nothing of it
                // is kept, so the whole write fails, with the error that caused it rather than a missing savepoint.
                _inSavepoint = false;
                throw _failure ?? new SyncException(SyncError.Of(
                    SyncErrorType.Storage, $"SQLite rolled back the transaction on '{store._databasePath}'; nothing of it was stored."));
            }

            NonQuery(store.Command("ROLLBACK TO item;"));
            NonQuery(store.Command("RELEASE item;"));
            _inSavepoint = false;
        }

        private void InsertDependencies(OfflineOperation operation)
        {
            foreach (var dependency in operation.DependsOn)
            {
                NonQuery(store.Command(
                    "INSERT OR IGNORE INTO operation_dependencies (operation_id, depends_on_id) VALUES ($id, $dep);",
                    ("$id", operation.Id.ToString()), ("$dep", dependency.ToString())));
            }
        }

        // The execution points: a SQLite failure (disk full, damaged file) leaves as a typed error naming the file.
        /// <summary>Runs <paramref name="work"/> on the store's raw statement for <paramref name="sql"/> and resets it, with failures translated as the command helpers do.</summary>
        private T Raw<T>(string sql, Func<RawStatement, T> work)
        {
            RawStatement? statement = null;
            try
            {
                statement = store.Raw(sql);
                return work(statement);
            }
            catch (SqliteException ex)
            {
                throw _failure = SqliteDatabase.Translate(ex, store._databasePath);
            }
            finally
            {
                statement?.Reset();
            }
        }

        private int NonQuery(SqliteCommand command)
        {
            try
            {
                return command.ExecuteNonQuery();
            }
            catch (SqliteException ex)
            {
                throw _failure = SqliteDatabase.Translate(ex, store._databasePath);
            }
        }

        private object? Scalar(SqliteCommand command)
        {
            try
            {
                return command.ExecuteScalar();
            }
            catch (SqliteException ex)
            {
                throw _failure = SqliteDatabase.Translate(ex, store._databasePath);
            }
        }

        private List<OfflineOperation> Query(SqliteCommand command)
        {
            try
            {
                return ReadAll(command);
            }
            catch (SqliteException ex)
            {
                throw _failure = SqliteDatabase.Translate(ex, store._databasePath);
            }
        }
    }
}
