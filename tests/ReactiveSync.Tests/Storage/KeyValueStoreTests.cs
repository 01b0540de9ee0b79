using Microsoft.Reactive.Testing;
using ReactiveSync.Storage;

namespace ReactiveSync.Tests.Storage;

/// <summary>The contract every <see cref="IKeyValueStore"/> meets, run once per store by a subclass.</summary>
public abstract class KeyValueStoreTests
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected TestScheduler Scheduler { get; private set; } = null!;

    protected abstract IKeyValueStore CreateStore();

    /// <summary>A store over the same data after a restart.</summary>
    protected abstract Task<IKeyValueStore> ReopenAsync(IKeyValueStore store);

    [SetUp]
    public void SetUpScheduler()
    {
        Scheduler = new TestScheduler();
        Scheduler.AdvanceTo(Start.UtcTicks);
    }

    [Test]
    public async Task SetAsync_ThenGetAsync_ReturnsTheJson()
    {
        var store = CreateStore();
        await store.SetAsync("a", """{"x":1}""");
        Assert.That(await store.GetAsync("a"), Is.EqualTo("""{"x":1}"""));
    }

    [Test]
    public async Task SetAsync_SameKey_ReplacesValueAndExpiry()
    {
        var store = CreateStore();
        await store.SetAsync("a", "1", Start.AddSeconds(1));
        await store.SetAsync("a", "2");
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);
        Assert.That(await store.GetAsync("a"), Is.EqualTo("2"));
    }

    [Test]
    public async Task GetAsync_Absent_ReturnsNull()
    {
        Assert.That(await CreateStore().GetAsync("missing"), Is.Null);
    }

    [Test]
    public async Task GetAsync_ExpiryReachedOnScheduler_ReturnsNull()
    {
        var store = CreateStore();
        await store.SetAsync("a", "1", Start.AddSeconds(10));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(9).Ticks);
        Assert.That(await store.GetAsync("a"), Is.EqualTo("1"));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(1).Ticks);
        Assert.That(await store.GetAsync("a"), Is.Null);
    }

    [Test]
    public async Task InvalidateAsync_AnswersWhetherALiveValueWasThere()
    {
        var store = CreateStore();
        await store.SetAsync("live", "1");
        await store.SetAsync("expired", "1", Start);
        Assert.Multiple(async () =>
        {
            Assert.That(await store.InvalidateAsync("live"), Is.True);
            Assert.That(await store.InvalidateAsync("live"), Is.False);
            Assert.That(await store.InvalidateAsync("expired"), Is.False);
            Assert.That(await store.InvalidateAsync("never"), Is.False);
        });
        Assert.That(await store.GetAsync("live"), Is.Null);
    }

    [Test]
    public async Task GetKeysAsync_Prefix_UnexpiredKeysInOrdinalOrder()
    {
        var store = CreateStore();
        foreach (var key in new[] { "cp/b", "cp/a", "cp/C", "cq/x", "c", "cp/old" })
        {
            await store.SetAsync(key, "1", key == "cp/old" ? Start : null);
        }

        Assert.That(await store.GetKeysAsync("cp/"), Is.EqualTo(new[] { "cp/C", "cp/a", "cp/b" }));
        Assert.That(await store.GetKeysAsync(""), Is.EqualTo(new[] { "c", "cp/C", "cp/a", "cp/b", "cq/x" }));
    }

    [TestCase("")]
    [TestCase(null)]
    public void SetAsync_BadKey_Throws(string? key)
    {
        var store = CreateStore();
        Assert.That(() => store.SetAsync(key!, "1"), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("key"));
    }

    [Test]
    public void GetAsync_KeyTooLong_Throws()
    {
        var store = CreateStore();
        Assert.That(() => store.GetAsync(new string('k', 513)), Throws.ArgumentException.With.Property("ParamName").EqualTo("key"));
    }

    [Test]
    public async Task InsertObjectAsync_TypedValue_RoundTrips()
    {
        var store = CreateStore();
        await store.InsertObjectAsync("settings", new Settings("dark", 3));
        Assert.That(await store.GetObjectAsync<Settings>("settings"), Is.EqualTo(new Settings("dark", 3)));
    }

    [Test]
    public async Task SetAsync_ThenRestart_ValueStillThere()
    {
        var store = CreateStore();
        await store.SetAsync("checkpoint", "42", Start.AddHours(1));
        store = await ReopenAsync(store);
        Assert.That(await store.GetAsync("checkpoint"), Is.EqualTo("42"));
    }

    public sealed record Settings(string Theme, int Level);
}
