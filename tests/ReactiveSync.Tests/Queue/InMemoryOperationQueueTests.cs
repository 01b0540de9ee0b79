using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Queue;

/// <summary>The queue contract on <see cref="InMemoryOperationStore"/>.</summary>
[TestFixture]
public sealed class InMemoryOperationQueueTests : OperationQueueTests
{
    private InMemoryOperationStore? _store;

    protected override IOperationStore CreateStore() => _store = new InMemoryOperationStore();

    // The in-memory store keeps its contents when the queue over it is disposed, as a file would.
    protected override IOperationStore ReopenStore() => _store ?? throw new InvalidOperationException("No store yet.");
}
