namespace ReactiveSync.Sqlite;

/// <summary>The current row of a query, read by column ordinal: what mapping a stored row needs, over either reader.</summary>
internal interface ISqliteRow
{
    /// <summary>An integer column declared NOT NULL.</summary>
    long Int64(int ordinal);

    /// <summary>An integer column that may be NULL; a value of another type reads as null too.</summary>
    long? NullableInt64(int ordinal);

    /// <summary>A text column that must not be NULL.</summary>
    /// <exception cref="InvalidCastException">The column is NULL.</exception>
    string Text(int ordinal);

    /// <summary>A text column that may be NULL.</summary>
    string? NullableText(int ordinal);
}
