using Microsoft.Data.Sqlite;

namespace ReactiveSync.Sqlite;

/// <summary>
/// The one writer connection of a SQLite store: opened and migrated on first use, used by one caller at a time, and
/// every SQLite failure translated by <see cref="SqliteDatabase.Translate"/>. A store keeps one of these instead of
/// its own lock, connection field, disposed flag and open/translate code.
/// </summary>
internal sealed class SqliteStoreConnection : IAsyncDisposable
{
    private readonly string _databasePath;
    private readonly string _component;
    private readonly IReadOnlyList<Action<SqliteConnection>> _migrations;
    private readonly object _owner;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="component">The store's name in the <c>schema_version</c> table.</param>
    /// <param name="migrations">The store's migrations, as <see cref="SqliteDatabase.Migrate"/> takes them.</param>
    /// <param name="owner">The store, named by the <see cref="ObjectDisposedException"/> thrown after disposal.</param>
    public SqliteStoreConnection(string databasePath, string component, IReadOnlyList<Action<SqliteConnection>> migrations, object owner)
    {
        _databasePath = databasePath;
        _component = component;
        _migrations = migrations;
        _owner = owner;
    }

    /// <summary>Runs <paramref name="work"/> on the connection, opening and migrating it first if needed.</summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    /// <exception cref="SqliteDatabaseCorruptException">The file is damaged or not a SQLite database.</exception>
    /// <exception cref="Model.SyncException">SQLite failed otherwise (type Storage).</exception>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, _owner);
            var connection = _connection ??= Open();
            try
            {
                return work(connection);
            }
            catch (SqliteException ex)
            {
                throw SqliteDatabase.Translate(ex, _databasePath);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Like <see cref="RunAsync{T}"/>, inside one transaction: committed when <paramref name="work"/> returns, rolled
    /// back when it (or the commit) throws. Commands that <paramref name="work"/> creates must be given the transaction.
    /// </summary>
    public Task<T> RunInTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        RunAsync(
            connection =>
            {
                // Disposing an uncommitted transaction rolls it back.
                using var transaction = connection.BeginTransaction();
                var result = work(connection, transaction);
                transaction.Commit();
                return result;
            },
            cancellationToken);

    /// <summary>Closes the connection and releases the file (pooled handles too). Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_connection is not null)
            {
                SqliteConnection.ClearPool(_connection);
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private SqliteConnection Open()
    {
        SqliteConnection? connection = null;
        try
        {
            connection = SqliteDatabase.OpenWriter(SqliteDatabase.ConnectionString(_databasePath));
            SqliteDatabase.Migrate(connection, _databasePath, _component, _migrations);
            return connection;
        }
        catch (Exception ex)
        {
            // Release the file at once (pooled handles too), so the app can move a damaged one aside.
            if (connection is not null)
            {
                SqliteConnection.ClearPool(connection);
                connection.Dispose();
            }

            if (ex is SqliteException sqlite)
            {
                throw SqliteDatabase.Translate(sqlite, _databasePath);
            }

            throw;
        }
    }
}
