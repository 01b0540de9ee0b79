using Microsoft.Data.Sqlite;
using ReactiveSync.Sqlite;
using ReactiveSync.TestSupport;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The shared open helpers of the SQLite stores.</summary>
[TestFixture]
[Platform("Linux", Reason = "Counts the process's open files in /proc/self/fd.")]
public sealed class SqliteDatabaseTests
{
    private string _directory = null!;

    private string DatabasePath => Path.Combine(_directory, "store.db");

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task OpenWriter_FileIsNotADatabase_ThrowsAndLeavesFileClosed()
    {
        await File.WriteAllBytesAsync(DatabasePath, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());

        Assert.Throws<SqliteException>(() => SqliteDatabase.OpenWriter(SqliteDatabase.ConnectionString(DatabasePath)));
        Assert.That(OpenFiles.CountUnder(DatabasePath), Is.Zero, "the failed open closed its connection");
    }
}
