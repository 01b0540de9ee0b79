using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ReactiveSync.Sqlite;

/// <summary>
/// A statement prepared once on a connection and run through SQLitePCL directly: one native call per column read,
/// where <see cref="SqliteDataReader"/> makes three (its row and null checks before each value), and each parameter's
/// index looked up once, where a command looks it up by name on every run. For the queue's hottest statements: the
/// pending scan of every take, the removal of what the server acknowledged, the insert of every queued operation.
/// Used by one caller at a time; finalize it before the connection closes.
/// </summary>
internal sealed class RawStatement : ISqliteRow, IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _parameters = new(StringComparer.Ordinal);

    /// <exception cref="SqliteException">The SQL does not prepare.</exception>
    public RawStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            _statement?.Dispose();
            throw Error(rc);
        }
    }

    /// <summary>Binds a named parameter (its index is looked up once: the lookup is a native call with the name).</summary>
    /// <exception cref="ArgumentException">The statement has no parameter of that name.</exception>
    public void Bind(string name, long value) => Check(raw.sqlite3_bind_int64(_statement, ParameterIndex(name), value));

    /// <summary>Binds a column value as a command's parameter would take it: null as NULL, text, or an integer.</summary>
    /// <exception cref="ArgumentException">No such parameter, or a value of another type.</exception>
    public void Bind(string name, object? value)
    {
        var index = ParameterIndex(name);
        Check(value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            string text => raw.sqlite3_bind_text(_statement, index, text),
            int number => raw.sqlite3_bind_int64(_statement, index, number),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            _ => throw new ArgumentException($"A {value.GetType().Name} cannot be bound to {name}: text, integers and null can.", nameof(value)),
        });
    }

    /// <summary>Runs a statement that answers no rows and resets it; answers how many rows it changed.</summary>
    /// <exception cref="SqliteException">SQLite failed (e.g. a constraint, a full disk).</exception>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Steps to the next row: true on a row, false when done.</summary>
    /// <exception cref="SqliteException">SQLite failed (the statement should then be reset).</exception>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        return rc switch
        {
            raw.SQLITE_ROW => true,
            raw.SQLITE_DONE => false,
            _ => throw Error(rc),
        };
    }

    /// <summary>Ends the current run (releasing its read of the database); bindings are kept.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int ordinal) => raw.sqlite3_column_int64(_statement, ordinal);

    public long? NullableInt64(int ordinal) =>
        raw.sqlite3_column_type(_statement, ordinal) == raw.SQLITE_INTEGER ? raw.sqlite3_column_int64(_statement, ordinal) : null;

    public string Text(int ordinal) =>
        NullableText(ordinal) ?? throw new InvalidCastException($"Column {raw.sqlite3_column_name(_statement, ordinal).utf8_to_string()} is NULL where text is required.");

    // A NULL column has no text pointer, which reads as null.
    public string? NullableText(int ordinal) => raw.sqlite3_column_text(_statement, ordinal).utf8_to_string();

    public void Dispose() => _statement.Dispose();

    private int ParameterIndex(string name)
    {
        if (!_parameters.TryGetValue(name, out var index))
        {
            index = raw.sqlite3_bind_parameter_index(_statement, name);
            if (index <= 0)
            {
                throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
            }

            _parameters[name] = index;
        }

        return index;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    private SqliteException Error(int rc) =>
        new(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
}
