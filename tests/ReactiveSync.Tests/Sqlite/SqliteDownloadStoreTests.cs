using ReactiveSync.Sqlite;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The SQLite download store's handling of a damaged file (its records are covered through ContentDownloadManagerTests).</summary>
[TestFixture]
public sealed class SqliteDownloadStoreTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-dlstore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task OpenAsync_FileIsNotADatabase_ThrowsCorruptExceptionNamingFileAndLeavesIt()
    {
        var path = Path.Combine(_directory, "downloads.db");
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(path, garbage);
        await using var store = new SqliteDownloadStore(path);

        var ex = await Assert.ThrowsAsync<SqliteDatabaseCorruptException>(() => store.OpenAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(ex!.Message, Does.Contain(path));
            Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(garbage), "the file is left for recovery");
        });
    }
}
