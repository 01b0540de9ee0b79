using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Server;
using ReactiveSync.Server.Storage;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

/// <summary>
/// The server database's schema version: a file from before version 1 (resources keyed by type then id, dedupe answers
/// as JSON) is migrated on open without losing a resource, a content link or a recorded answer; a newer file is refused.
/// </summary>
[Category("Integration")]
public sealed class SqliteSyncServerStoreSchemaTests
{
    private const string OperationId = "0193a000-0000-7000-8000-000000000001";
    private const string UpdatedAt = "2026-11-01T10:00:00.0000000+00:00";

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reactivesync-it", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Open_FileOfVersion0_MigratesKeepingResourcesContentAndRecordedAnswers()
    {
        CreateVersion0File();

        await using var host = await ReactiveSyncServerHost.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var resource = await host.Store.GetResourceAsync("post", "p1");
        var recorded = await host.Store.GetRecordedResultAsync("device-1", Guid.Parse(OperationId));
        var replay = await PushOneAsync(client, "device-1", Op("create", "post", "p1", data: new JsonObject { ["title"] = "again" }, id: Guid.Parse(OperationId)));
        var update = await PushOneAsync(client, "device-1", Op("update", "post", "p1", 3, new JsonObject { ["title"] = "new" }));
        var pull = await PullAsync(client, since: 0);

        Assert.Multiple(() =>
        {
            Assert.That(resource!.Version, Is.EqualTo(3));
            Assert.That(resource.Data!["title"]!.GetValue<string>(), Is.EqualTo("old"));
            Assert.That(recorded!.Version, Is.EqualTo(3));
            Assert.That(replay["status"]!.GetValue<string>(), Is.EqualTo("duplicate"), "an answer recorded as JSON before the migration");
            Assert.That(replay["version"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(replay["serverUpdatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(DateTimeOffset.Parse(UpdatedAt)));
            Assert.That(update["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(update["version"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(pull["changes"]!.AsArray().Single()!["contentSize"]!.GetValue<long>(), Is.EqualTo(5), "the content link survives the rebuild");
            Assert.That(ReadUserVersion(), Is.EqualTo(1));
            Assert.That(IndexNames(), Does.Not.Contain("ix_resources_id"), "lookups by id use the new key");
        });
    }

    [Test]
    public async Task Push_Replayed_AnswersDuplicateFromTheRecordedColumns()
    {
        await using var host = await ReactiveSyncServerHost.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var id = Guid.NewGuid();
        var create = Op("create", "post", "p2", data: new JsonObject { ["title"] = "a" }, id: id);
        var first = await PushOneAsync(client, "device-1", create);
        var delete = Op("delete", "post", "gone", id: Guid.NewGuid());
        var firstDelete = await PushOneAsync(client, "device-1", delete);

        var replay = await PushAsync(client, "device-1", create, delete);
        var recorded = await host.Store.GetRecordedResultAsync("device-1", id);

        Assert.Multiple(() =>
        {
            Assert.That(replay[0]!["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay[0]!["version"]!.GetValue<long>(), Is.EqualTo(first["version"]!.GetValue<long>()));
            Assert.That(replay[0]!["serverUpdatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(first["serverUpdatedAt"]!.GetValue<DateTimeOffset>()));
            Assert.That(replay[1]!["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay[1]!["serverDeleted"]!.GetValue<bool>(), Is.EqualTo(firstDelete["serverDeleted"]!.GetValue<bool>()));
            Assert.That(replay[1]!["version"], Is.Null, "a delete of a resource never seen has no version");
            Assert.That(recorded!.ServerUpdatedAt, Is.EqualTo(first["serverUpdatedAt"]!.GetValue<DateTimeOffset>()));
            Assert.That(ReadUserVersion(), Is.EqualTo(1));
        });
    }

    [Test]
    public void Open_FileOfANewerVersion_ThrowsNamingTheFileAndVersions()
    {
        var path = Path.Combine(_directory, "server.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            Execute(connection, "PRAGMA user_version = 7;");
        }

        var ex = Assert.Throws<SyncServerSchemaException>(() => new SqliteSyncServerStore(path, Path.Combine(_directory, "content")).Dispose());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.FoundVersion, Is.EqualTo(7));
            Assert.That(ex.SupportedVersion, Is.EqualTo(1));
            Assert.That(ex.Message, Does.Contain(path));
        });
    }

    /// <summary>A server database as the schema before version 1 wrote it: one post at version 3 with content, one recorded answer.</summary>
    private void CreateVersion0File()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "server.db")}");
        connection.Open();
        Execute(connection, $$"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE resources (resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NULL,
                deleted INTEGER NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (resource_type, resource_id));
            CREATE UNIQUE INDEX ix_resources_seq ON resources (seq);
            CREATE INDEX ix_resources_id ON resources (resource_id);
            CREATE TABLE content (resource_id TEXT NOT NULL PRIMARY KEY, file_name TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
                content_type TEXT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE dedupe (client_id TEXT NOT NULL, operation_id TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT NOT NULL,
                result TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (client_id, operation_id)) WITHOUT ROWID;
            CREATE TABLE change_sequence (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
            INSERT INTO change_sequence (id, value) VALUES (1, 3);
            INSERT INTO resources VALUES ('post', 'p1', 3, '{"title":"old"}', 0, '{{UpdatedAt}}', 3);
            INSERT INTO content VALUES ('p1', 'p1-file', 5, '"abc"', 'text/plain', '{{UpdatedAt}}');
            INSERT INTO dedupe VALUES ('device-1', '{{OperationId}}', 'post', 'p1',
                '{"operationId":"{{OperationId}}","status":"applied","version":3,"serverData":null,"serverDeleted":false,"serverUpdatedAt":"{{UpdatedAt}}","error":null}',
                '{{UpdatedAt}}');
            """);
    }

    private long ReadUserVersion()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "server.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private List<string> IndexNames()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "server.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index';";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
