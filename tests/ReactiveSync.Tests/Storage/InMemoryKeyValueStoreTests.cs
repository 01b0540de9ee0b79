using ReactiveSync.Storage;

namespace ReactiveSync.Tests.Storage;

/// <summary>The key-value contract on <see cref="InMemoryKeyValueStore"/>.</summary>
[TestFixture]
public sealed class InMemoryKeyValueStoreTests : KeyValueStoreTests
{
    protected override IKeyValueStore CreateStore() => new InMemoryKeyValueStore(Scheduler);

    // Memory survives only as long as the instance: a "restart" keeps the same one.
    protected override Task<IKeyValueStore> ReopenAsync(IKeyValueStore store) => Task.FromResult(store);
}
