using ReactiveSync.Queue;
using ReactiveSync.Sqlite;
using ReactiveSync.Tests.Queue;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The queue contract on <see cref="SqliteOperationStore"/>, each test on a fresh temp file.</summary>
[TestFixture]
public sealed class SqliteOperationQueueTests : OperationQueueTests
{
    private string _directory = null!;

    protected override IOperationStore CreateStore() => new SqliteOperationStore(DatabasePath);

    protected override IOperationStore ReopenStore() => new SqliteOperationStore(DatabasePath);

    private string DatabasePath => Path.Combine(_directory, "queue.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-queue-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public async Task DeleteDirectory()
    {
        await DisposeQueues();
        Directory.Delete(_directory, recursive: true);
    }
}
