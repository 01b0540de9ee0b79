using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using static ReactiveSync.Tests.Pull.ReplicaSynchronizerTests;

namespace ReactiveSync.Tests.Pull;

/// <summary>The replica contract, run on every store.</summary>
public abstract class ReplicaStoreTests
{
    protected abstract IReplicaStore CreateStore();

    protected abstract Task DisposeStoreAsync(IReplicaStore store);

    private IReplicaStore _store = null!;

    [SetUp]
    public void SetUpStore() => _store = CreateStore();

    [TearDown]
    public Task TearDownStore() => DisposeStoreAsync(_store);

    [Test]
    public async Task ApplyPageAsync_Rows_StoresRowsAndCheckpointTogether()
    {
        var written = await _store.ApplyPageAsync([Row("a", 1, new JsonObject { ["x"] = 1 }), Row("b", 2, null)], 42);

        Assert.Multiple(async () =>
        {
            Assert.That(written, Is.EqualTo(2));
            Assert.That(await _store.GetCheckpointAsync(), Is.EqualTo(42));
            Assert.That((await _store.GetAsync(ResourceType.Post, "a"))!.Data!.ToJsonString(), Is.EqualTo("""{"x":1}"""));
        });
    }

    [Test]
    public async Task PutManyAsync_Rows_WritesNewerOnesAndEmitsOneChange()
    {
        await _store.PutAsync(Row("a", 5, new JsonObject { ["v"] = "five" }));
        var commits = new List<IReadOnlyList<ReplicaKey>>();
        using var changes = _store.Changed.Subscribe(commits.Add);

        var written = await _store.PutManyAsync([Row("a", 4, new JsonObject { ["v"] = "four" }), Row("b", 1, new JsonObject { ["v"] = "b" }), Row("c", 2, null)]);

        Assert.Multiple(async () =>
        {
            Assert.That(written, Is.EqualTo(2));
            Assert.That((await _store.GetAsync(ResourceType.Post, "a"))!.Data!["v"]!.GetValue<string>(), Is.EqualTo("five"));
            Assert.That((await _store.GetAsync(ResourceType.Post, "b"))!.Version, Is.EqualTo(1));
            Assert.That(commits.SelectMany(c => c).Select(k => k.ResourceId), Is.EquivalentTo(new[] { "b", "c" }));
        });
    }

    [Test]
    public async Task GetManyAsync_Keys_AnswersInOrderWithNullForUnknown()
    {
        await _store.PutManyAsync([Row("a", 1, new JsonObject()), Row("b", 2, null)]);

        var found = await _store.GetManyAsync([new ReplicaKey(ResourceType.Post, "b"), new ReplicaKey(ResourceType.Post, "zz"), new ReplicaKey(ResourceType.Post, "a")]);

        Assert.That(found.Select(r => r?.Version), Is.EqualTo(new long?[] { 2, null, 1 }));
    }

    [Test]
    public async Task GetCheckpointAsync_NeverPulled_IsNull() =>
        Assert.That(await _store.GetCheckpointAsync(), Is.Null);

    [Test]
    public async Task PutAsync_OlderVersion_IsIgnoredAndEqualReplaces()
    {
        await _store.PutAsync(Row("a", 5, new JsonObject { ["v"] = "five" }));

        var older = await _store.PutAsync(Row("a", 4, new JsonObject { ["v"] = "four" }));
        var equal = await _store.PutAsync(Row("a", 5, new JsonObject { ["v"] = "server" }));

        Assert.Multiple(async () =>
        {
            Assert.That(older, Is.False);
            Assert.That(equal, Is.True);
            Assert.That((await _store.GetAsync(ResourceType.Post, "a"))!.Data!["v"]!.GetValue<string>(), Is.EqualTo("server"));
        });
    }

    [Test]
    public async Task GetPageAsync_KeysetPaging_ReturnsEveryRowOfTheTypeOnceInIdOrder()
    {
        var rows = Enumerable.Range(0, 25).Select(i => Row($"id{i:D2}", 1, new JsonObject())).ToList();
        await _store.ApplyPageAsync([.. rows, Row("other", 1, null, ResourceType.Comment)], 1);

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await _store.GetPageAsync(ResourceType.Post, after, 10);
            seen.AddRange(page.Select(r => r.ResourceId));
            if (page.Count < 10)
            {
                break;
            }

            after = page[^1].ResourceId;
        }

        Assert.That(seen, Is.EqualTo(rows.Select(r => r.ResourceId)));
    }

    [Test]
    public async Task GetPageAsync_AfterAnIdNotStored_StartsAtTheNextStoredIdInOrdinalOrder()
    {
        await _store.PutManyAsync([Row("B", 1, null), Row("a", 1, null), Row("c", 1, null), Row("b2", 1, null)]);

        var fromStart = await _store.GetPageAsync(ResourceType.Post, null, 10);
        var afterB1 = await _store.GetPageAsync(ResourceType.Post, "b1", 10);
        var afterLast = await _store.GetPageAsync(ResourceType.Post, "c", 10);
        var ofAnotherType = await _store.GetPageAsync(ResourceType.Comment, null, 10);
        Assert.Multiple(() =>
        {
            Assert.That(fromStart.Select(r => r.ResourceId), Is.EqualTo(new[] { "B", "a", "b2", "c" }));
            Assert.That(afterB1.Select(r => r.ResourceId), Is.EqualTo(new[] { "b2", "c" }));
            Assert.That(afterLast, Is.Empty);
            Assert.That(ofAnotherType, Is.Empty);
        });
    }

    [Test]
    public async Task PutManyAsync_CallerChangesItsNodeAfterwards_StoredDataStaysAsWritten()
    {
        var data = new JsonObject { ["v"] = "written" };
        await _store.PutManyAsync([Row("a", 1, data)]);

        data["v"] = "changed later";
        var stored = await _store.GetManyAsync([new ReplicaKey(ResourceType.Post, "a")]);
        Assert.That(stored[0]!.Data!["v"]!.GetValue<string>(), Is.EqualTo("written"));
    }

    [Test]
    public async Task GetAsync_CallerChangesTheNodeItRead_StoredDataStaysAsWritten()
    {
        await _store.PutAsync(Row("a", 1, new JsonObject { ["v"] = "written" }));

        var read = await _store.GetAsync(ResourceType.Post, "a");
        read!.Data!["v"] = "changed by a reader";
        var again = await _store.GetAsync(ResourceType.Post, "a");
        Assert.That(again!.Data!["v"]!.GetValue<string>(), Is.EqualTo("written"));
    }

    [Test]
    public async Task FindContentAsync_ResourceWithContent_FoundByIdAlone()
    {
        await _store.PutAsync(Row("m1", 1, new JsonObject()) with { ResourceType = ResourceType.MediaAttachment, ContentUrl = "/sync/content/m1", ContentSize = 123 });
        await _store.PutAsync(Row("m2", 1, new JsonObject()));

        var found = await _store.FindContentAsync("m1");
        var none = await _store.FindContentAsync("m2");

        Assert.Multiple(() =>
        {
            Assert.That(found!.ContentSize, Is.EqualTo(123));
            Assert.That(found.ResourceType, Is.EqualTo(ResourceType.MediaAttachment));
            Assert.That(none, Is.Null);
        });
    }

    [Test]
    public async Task Changed_AfterCommit_EmitsTheWrittenKeysOnly()
    {
        await _store.PutAsync(Row("a", 5, new JsonObject()));
        var emitted = new List<IReadOnlyList<ReplicaKey>>();
        using var subscription = _store.Changed.Subscribe(emitted.Add);

        await _store.ApplyPageAsync([Row("a", 4, new JsonObject()), Row("b", 1, new JsonObject())], 9);

        Assert.That(emitted.Single(), Is.EqualTo(new[] { new ReplicaKey(ResourceType.Post, "b") }));
    }

    [Test]
    public async Task ApplyPageAsync_InvalidRow_ThrowsNamingField()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _store.ApplyPageAsync([Row("a", -1, null)], 1));

        Assert.That(ex!.Message, Does.Contain("Version"));
    }
}

public sealed class InMemoryReplicaStoreTests : ReplicaStoreTests
{
    protected override IReplicaStore CreateStore() => new InMemoryReplicaStore();

    protected override Task DisposeStoreAsync(IReplicaStore store)
    {
        ((InMemoryReplicaStore)store).Dispose();
        return Task.CompletedTask;
    }
}
