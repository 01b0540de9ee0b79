using System.Reactive.Concurrency;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>What only the SQLite store has: its file format, schema versions, migration from the seed, and index use.</summary>
[TestFixture]
public sealed class SqliteOperationStoreTests
{
    private string _directory = null!;

    private string DatabasePath => Path.Combine(_directory, "queue.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-ops-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task OpenAsync_NewFile_UsesWalAndRecordsSchemaVersion()
    {
        await using (var store = new SqliteOperationStore(DatabasePath))
        {
            await store.OpenAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(Scalar("PRAGMA journal_mode;"), Is.EqualTo("wal"));
            Assert.That(Scalar("SELECT version FROM schema_version WHERE component = 'operations';"), Is.EqualTo((long)SqliteOperationStore.SchemaVersion));
        });
    }

    [Test]
    public async Task OpenAsync_NewerSchemaInFile_ThrowsTypedErrorAndLeavesFileAlone()
    {
        await using (var store = new SqliteOperationStore(DatabasePath))
        {
            await store.OpenAsync();
        }

        Execute("UPDATE schema_version SET version = 7 WHERE component = 'operations';");
        await using var newer = new SqliteOperationStore(DatabasePath);
        var ex = await Assert.ThrowsAsync<SqliteSchemaVersionException>(() => newer.OpenAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.FoundVersion, Is.EqualTo(7));
            Assert.That(ex.SupportedVersion, Is.EqualTo(SqliteOperationStore.SchemaVersion));
            Assert.That(ex.Message, Does.Contain("newer"));
        });
        Assert.That(Scalar("SELECT version FROM schema_version WHERE component = 'operations';"), Is.EqualTo(7L));
    }

    [Test]
    public async Task OpenAsync_SeedDatabase_MigratesRowsKeepingOrder()
    {
        Execute("""
            CREATE TABLE offline_operations (
              id TEXT PRIMARY KEY, operation_type TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT, data TEXT NOT NULL,
              priority INTEGER NOT NULL DEFAULT 1, retry_count INTEGER NOT NULL DEFAULT 0, max_retries INTEGER NOT NULL DEFAULT 3,
              created_at TEXT NOT NULL, scheduled_at TEXT NOT NULL, last_attempt_at TEXT, error_message TEXT, conflict_resolution TEXT);
            INSERT INTO offline_operations (id, operation_type, resource_type, resource_id, data, priority, created_at, scheduled_at)
            VALUES ('0b5e4f0e-0000-7000-8000-000000000001', 'create', 'post', 'p1', '{"title":"a"}', 2, '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z'),
                   ('0b5e4f0e-0000-7000-8000-000000000002', 'update', 'post', 'p1', '{"title":"b"}', 2, '2024-05-01T10:00:01.000Z', '2024-05-01T10:00:01.000Z');
            """);

        var scheduler = new HistoricalScheduler(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero));
        await using var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(DatabasePath), SyncConfiguration.Default, scheduler);
        var pending = await queue.GetOperationsAsync(OperationState.Pending, 0, 10);
        Assert.That(pending.Select(o => (o.Type, o.ResourceId, o.Data!.ToJsonString())), Is.EqualTo(new[]
        {
            (OperationType.Create, "p1", """{"title":"a"}"""),
            (OperationType.Update, "p1", """{"title":"b"}"""),
        }));
        Assert.That(pending[0].CreatedAt, Is.EqualTo(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(pending[0].Sequence, Is.LessThan(pending[1].Sequence));
        var next = await queue.QueueOperationAsync(new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Post, Data = new System.Text.Json.Nodes.JsonObject() });
        Assert.That(next.Sequence, Is.GreaterThan(pending[1].Sequence));
    }

    [Test]
    public async Task WriteAsync_Timestamps_StoredAsFixedWidthUtcText()
    {
        var scheduler = new HistoricalScheduler(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567));
        await using (var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(DatabasePath), SyncConfiguration.Default, scheduler))
        {
            await queue.QueueOperationAsync(new OperationRequest { Type = OperationType.Create, ResourceType = ResourceType.Post, Data = new System.Text.Json.Nodes.JsonObject() });
        }

        Assert.That(Scalar("SELECT created_at FROM offline_operations;"), Is.EqualTo("2025-03-04T03:06:07.1234567Z"));
    }

    [TestCase(SqliteOperationStore.PendingWindowSql, "ix_offline_operations_state_priority_sequence")]
    [TestCase(SqliteOperationStore.PendingScanSql, "ix_offline_operations_state_priority_sequence")]
    [TestCase(SqliteOperationStore.PendingScanSql, "ix_offline_operations_resource_sequence")]
    [TestCase(SqliteOperationStore.EarlierOnResourceSql, "ix_offline_operations_resource_sequence")]
    [TestCase(SqliteOperationStore.LastOnResourceSql, "ix_offline_operations_resource_sequence")]
    [TestCase(SqliteOperationStore.ByStateSql, "ix_offline_operations_state_priority_sequence")]
    [TestCase(SqliteOperationStore.NextRetryDueSql, "ix_offline_operations_retry_due")]
    [TestCase(SqliteOperationStore.HasDependentsSql, "ix_operation_dependencies_depends_on")]
    public async Task Schema_SelectionQueries_ReadAnIndexNotTheTable(string query, string index)
    {
        await using (var store = new SqliteOperationStore(DatabasePath))
        {
            await store.OpenAsync();
        }

        var plan = string.Join(" | ", Rows("EXPLAIN QUERY PLAN " + query, reader => reader.GetString(3)));
        Assert.That(plan, Does.Contain(index));
        Assert.That(plan, Does.Not.Contain("USE TEMP B-TREE"));
    }

    [Test]
    public async Task Schema_PendingScan_EveryTableAccessIsAnIndexSearch()
    {
        await using (var store = new SqliteOperationStore(DatabasePath))
        {
            await store.OpenAsync();
        }

        // The window, the per-row resource check and the dependency check: each a SEARCH, never a SCAN of a table.
        var steps = Rows("EXPLAIN QUERY PLAN " + SqliteOperationStore.PendingScanSql, reader => reader.GetString(3))
            .Where(step => step.StartsWith("SEARCH", StringComparison.Ordinal) || step.StartsWith("SCAN", StringComparison.Ordinal))
            .ToList();
        Assert.That(steps, Has.Count.EqualTo(4));
        Assert.That(steps, Has.All.StartsWith("SEARCH"));
        Assert.That(steps, Has.None.Contains("USE TEMP B-TREE"));
    }

    private object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<T> Rows<T>(string sql, Func<SqliteDataReader, T> map)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }
}
