using Microsoft.Data.Sqlite;

namespace ReactiveSync.Sqlite;

/// <summary>The current row of a <see cref="SqliteDataReader"/> as an <see cref="ISqliteRow"/>.</summary>
internal readonly struct DataReaderRow(SqliteDataReader reader) : ISqliteRow
{
    public long Int64(int ordinal) => reader.GetInt64(ordinal);

    public long? NullableInt64(int ordinal) => reader.GetValue(ordinal) is long value ? value : null;

    public string Text(int ordinal) =>
        NullableText(ordinal) ?? throw new InvalidCastException($"Column {reader.GetName(ordinal)} is NULL where text is required.");

    // One call per column: IsDBNull then GetString costs two rounds of the reader's checks and native calls.
    public string? NullableText(int ordinal) => reader.GetValue(ordinal) as string;
}
