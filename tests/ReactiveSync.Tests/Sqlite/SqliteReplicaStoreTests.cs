using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Sqlite;
using ReactiveSync.Tests.Pull;
using static ReactiveSync.Tests.Pull.ReplicaSynchronizerTests;

namespace ReactiveSync.Tests.Sqlite;

public sealed class SqliteReplicaStoreTests : ReplicaStoreTests
{
    private string _directory = null!;

    protected override IReplicaStore CreateStore()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-replica-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        return new SqliteReplicaStore(Path.Combine(_directory, "replica.db"));
    }

    protected override async Task DisposeStoreAsync(IReplicaStore store)
    {
        await ((SqliteReplicaStore)store).DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task ApplyPageAsync_FailureInsideTheTransaction_KeepsNeitherRowsNorCheckpoint()
    {
        var path = Path.Combine(_directory, "atomic.db");
        await using var store = new SqliteReplicaStore(path);
        await store.ApplyPageAsync([Row("a", 1, new JsonObject())], 10);
        store.BeforePageCommit = _ => throw new IOException("crash between rows and checkpoint");

        await Assert.ThrowsAsync<IOException>(() => store.ApplyPageAsync([Row("b", 1, new JsonObject()), Row("a", 2, new JsonObject { ["x"] = 1 })], 20));
        store.BeforePageCommit = null;

        Assert.Multiple(async () =>
        {
            Assert.That(await store.GetCheckpointAsync(), Is.EqualTo(10));
            Assert.That(await store.GetAsync(ResourceType.Post, "b"), Is.Null);
            Assert.That((await store.GetAsync(ResourceType.Post, "a"))!.Version, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Reopen_AfterDispose_KeepsRowsAndCheckpoint()
    {
        var path = Path.Combine(_directory, "reopen.db");
        await using (var first = new SqliteReplicaStore(path))
        {
            await first.ApplyPageAsync([Row("a", 3, new JsonObject { ["t"] = "x" }) with { ContentUrl = "/sync/content/a", ContentSize = 7 }], 99);
        }

        await using var second = new SqliteReplicaStore(path);
        var row = await second.GetAsync(ResourceType.Post, "a");

        Assert.Multiple(async () =>
        {
            Assert.That(await second.GetCheckpointAsync(), Is.EqualTo(99));
            Assert.That(row!.Version, Is.EqualTo(3));
            Assert.That(row.ContentSize, Is.EqualTo(7));
            Assert.That(row.UpdatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public async Task PullAsync_TransportFailsMidway_SqliteResumesWithoutSkipOrDouble()
    {
        var path = Path.Combine(_directory, "pull.db");
        var transport = new PagedTestTransport();
        for (var i = 0; i < 30; i++)
        {
            transport.Add($"r{i:D3}", 1, new JsonObject { ["n"] = i }, DateTimeOffset.UnixEpoch);
        }

        transport.FailOnCall = 2;
        var configuration = SyncConfiguration.Default with { PullPageSize = 10 };
        await using (var store = new SqliteReplicaStore(path))
        {
            await Assert.ThrowsAsync<SyncException>(() => new ReplicaSynchronizer(transport, store, configuration, System.Reactive.Concurrency.ImmediateScheduler.Instance).PullAsync());
        }

        // A fresh process: a new store over the same file continues from the committed page.
        await using var reopened = new SqliteReplicaStore(path);
        var applied = await new ReplicaSynchronizer(transport, reopened, configuration, System.Reactive.Concurrency.ImmediateScheduler.Instance).PullAsync();
        var all = await reopened.GetPageAsync(ResourceType.Post, null, 100);

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.EqualTo(20));
            Assert.That(all, Has.Count.EqualTo(30));
            Assert.That(transport.AskedFrom, Is.EqualTo(new long?[] { null, 10, 10, 20 }));
        });
    }

    [Test]
    public async Task OpenAsync_FileIsNotADatabase_ThrowsCorruptExceptionNamingFileAndLeavesIt()
    {
        var path = Path.Combine(_directory, "garbage.db");
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(path, garbage);
        await using var store = new SqliteReplicaStore(path);

        var ex = await Assert.ThrowsAsync<SqliteDatabaseCorruptException>(() => store.OpenAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(ex!.Message, Does.Contain(path));
            Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(garbage), "the file is left for recovery");
        });
    }
}
