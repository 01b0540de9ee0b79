using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The shared writer connection of the SQLite stores: lazy open and migration, transactions, error translation, disposal.</summary>
[TestFixture]
public sealed class SqliteStoreConnectionTests
{
    private static readonly IReadOnlyList<Action<SqliteConnection>> Migrations =
    [
        connection => SqliteDatabase.Execute(connection, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"),
    ];

    private string _directory = null!;
    private SqliteStoreConnection _database = null!;

    private string DatabasePath => Path.Combine(_directory, "store.db");

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-conn-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _database = new SqliteStoreConnection(DatabasePath, "items", Migrations, this);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task RunInTransactionAsync_WorkReturns_Commits()
    {
        await _database.RunInTransactionAsync((connection, transaction) => Insert(connection, transaction, "a") + Insert(connection, transaction, "b"), CancellationToken.None);

        Assert.That(await CountAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task RunInTransactionAsync_WorkThrows_RollsBackEveryWrite()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.RunInTransactionAsync<int>(
            (connection, transaction) =>
            {
                Insert(connection, transaction, "a");
                throw new InvalidOperationException("after the first write");
            },
            CancellationToken.None));

        Assert.That(await CountAsync(), Is.Zero);
    }

    [Test]
    public async Task RunInTransactionAsync_SqliteFails_ThrowsStorageSyncExceptionAndRollsBack()
    {
        var ex = await Assert.ThrowsAsync<SyncException>(() => _database.RunInTransactionAsync(
            (connection, transaction) => Insert(connection, transaction, "a") + Insert(connection, transaction, "a"),
            CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Storage));
            Assert.That(ex.Message, Does.Contain(DatabasePath));
            Assert.That(ex.InnerException, Is.TypeOf<SqliteException>());
        });
        Assert.That(await CountAsync(), Is.Zero);
    }

    [Test]
    public async Task RunAsync_FileIsNotADatabase_ThrowsCorruptExceptionAndLeavesFileAsItWas()
    {
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(DatabasePath, garbage);

        await Assert.ThrowsAsync<SqliteDatabaseCorruptException>(() => _database.RunAsync(static _ => 0, CancellationToken.None));
        Assert.That(await File.ReadAllBytesAsync(DatabasePath), Is.EqualTo(garbage));
    }

    [Test]
    public async Task RunAsync_AfterDispose_ThrowsObjectDisposedExceptionNamingOwner()
    {
        await _database.RunAsync(static _ => 0, CancellationToken.None);
        await _database.DisposeAsync();
        await _database.DisposeAsync();

        var ex = await Assert.ThrowsAsync<ObjectDisposedException>(() => _database.RunAsync(static _ => 0, CancellationToken.None));
        Assert.That(ex!.ObjectName, Does.Contain(nameof(SqliteStoreConnectionTests)));
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO items (name) VALUES ($n);";
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteNonQuery();
    }

    private Task<long> CountAsync() => _database.RunAsync(
        static connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM items;";
            return (long)command.ExecuteScalar()!;
        },
        CancellationToken.None);
}
