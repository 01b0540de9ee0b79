using Microsoft.Data.Sqlite;
using ReactiveSync.Sqlite;
using ReactiveSync.Storage;
using ReactiveSync.Tests.Storage;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The key-value contract on <see cref="SqliteKeyValueStore"/>, plus its schema versioning.</summary>
[TestFixture]
public sealed class SqliteKeyValueStoreTests : KeyValueStoreTests
{
    private readonly List<SqliteKeyValueStore> _stores = [];
    private string _directory = null!;

    private string DatabasePath => Path.Combine(_directory, "kv.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-kv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public async Task DeleteDirectory()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    protected override IKeyValueStore CreateStore()
    {
        var store = new SqliteKeyValueStore(DatabasePath, Scheduler);
        _stores.Add(store);
        return store;
    }

    protected override async Task<IKeyValueStore> ReopenAsync(IKeyValueStore store)
    {
        await ((SqliteKeyValueStore)store).DisposeAsync();
        return CreateStore();
    }

    [Test]
    public async Task OpenAsync_NewerSchemaInFile_ThrowsTypedErrorNamingVersions()
    {
        var store = (SqliteKeyValueStore)CreateStore();
        await store.OpenAsync();
        await store.DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99 WHERE component = 'key_values';";
            command.ExecuteNonQuery();
        }

        var ex = await Assert.ThrowsAsync<SqliteSchemaVersionException>(() => ((SqliteKeyValueStore)CreateStore()).OpenAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.FoundVersion, Is.EqualTo(99));
            Assert.That(ex.SupportedVersion, Is.EqualTo(SqliteKeyValueStore.SchemaVersion));
            Assert.That(ex.Component, Is.EqualTo("key_values"));
        });
    }

    [Test]
    public async Task SetAsync_SharesFileWithOperationStore()
    {
        await using var operations = new SqliteOperationStore(DatabasePath);
        await operations.OpenAsync();
        var store = CreateStore();
        await store.SetAsync("k", "1");
        Assert.That(await store.GetAsync("k"), Is.EqualTo("1"));
    }
}
