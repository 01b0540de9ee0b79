using Microsoft.Data.Sqlite;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The statement the queue's pending scan runs through SQLitePCL: it reads values as the data reader does.</summary>
[TestFixture]
public sealed class RawStatementTests
{
    private SqliteConnection _connection = null!;

    [SetUp]
    public void Open()
    {
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE t (n INTEGER, s TEXT);
            INSERT INTO t VALUES (1, 'one'), (2, ''), (NULL, NULL), (4, 'été');
            """;
        command.ExecuteNonQuery();
    }

    [TearDown]
    public void Close() => _connection.Dispose();

    [Test]
    public void Step_ReadsIntegersTextEmptyTextAndNullsLikeTheDataReader()
    {
        using var statement = new RawStatement(_connection, "SELECT n, s FROM t WHERE rowid > $after ORDER BY rowid");
        statement.Bind("$after", 0);
        var rows = new List<(long? N, string? S)>();
        while (statement.Step())
        {
            rows.Add((statement.NullableInt64(0), statement.NullableText(1)));
        }

        statement.Reset();
        Assert.That(rows, Is.EqualTo(new (long?, string?)[] { (1, "one"), (2, ""), (null, null), (4, "été") }));
    }

    [Test]
    public void Reset_KeepsBindingsSoTheStatementRunsAgain()
    {
        using var statement = new RawStatement(_connection, "SELECT count(*) FROM t WHERE rowid > $after");
        statement.Bind("$after", 2);
        Assert.That(statement.Step(), Is.True);
        var first = statement.Int64(0);
        statement.Reset();
        Assert.That(statement.Step(), Is.True);
        Assert.That((first, statement.Int64(0)), Is.EqualTo((2L, 2L)));
    }

    [Test]
    public void Text_OfANullColumn_ThrowsNamingTheColumn()
    {
        using var statement = new RawStatement(_connection, "SELECT s FROM t WHERE n IS NULL");
        Assert.That(statement.Step(), Is.True);
        var ex = Assert.Throws<InvalidCastException>(() => statement.Text(0));
        Assert.That(ex!.Message, Does.Contain("Column s is NULL"));
    }

    [Test]
    public void Constructor_SqlThatDoesNotPrepare_ThrowsSqliteExceptionWithSqlitesMessage()
    {
        var ex = Assert.Throws<SqliteException>(() => new RawStatement(_connection, "SELECT * FROM missing"));
        Assert.That(ex!.Message, Does.Contain("no such table: missing"));
    }

    [Test]
    public void Bind_TextParameter_BindsItsValue()
    {
        using var statement = new RawStatement(_connection, "SELECT n FROM t WHERE s = $s");
        statement.Bind("$s", "été");
        Assert.That(statement.Step(), Is.True);
        Assert.That(statement.Int64(0), Is.EqualTo(4));
    }

    [Test]
    public void Execute_BindsNullTextAndIntegersAndAnswersTheRowsChanged()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (n, s) VALUES ($n, $s)");
        insert.Bind("$n", (object?)5);
        insert.Bind("$s", (object?)"five");
        var first = insert.Execute();
        insert.Bind("$n", (object?)6L);
        insert.Bind("$s", (object?)null);
        var second = insert.Execute();

        using var read = new RawStatement(_connection, "SELECT n, s FROM t WHERE n >= 5 ORDER BY n");
        var rows = new List<(long? N, string? S)>();
        while (read.Step())
        {
            rows.Add((read.NullableInt64(0), read.NullableText(1)));
        }

        Assert.That((first, second, rows), Is.EqualTo((1, 1, new List<(long?, string?)> { (5, "five"), (6, null) })));
    }

    [Test]
    public void Execute_ConstraintViolated_ThrowsSqliteExceptionAndTheStatementRunsAgain()
    {
        using (var index = _connection.CreateCommand())
        {
            index.CommandText = "CREATE UNIQUE INDEX ux_t_n ON t (n)";
            index.ExecuteNonQuery();
        }

        using var insert = new RawStatement(_connection, "INSERT INTO t (n, s) VALUES ($n, 'x')");
        insert.Bind("$n", (object?)1);
        var ex = Assert.Throws<SqliteException>(() => insert.Execute());
        insert.Bind("$n", (object?)9);

        Assert.That((ex!.SqliteErrorCode & 0xFF, ex.Message.Contains("UNIQUE"), insert.Execute()), Is.EqualTo((19, true, 1)));
    }

    [Test]
    public void Bind_ValueOfAnotherType_ThrowsArgumentExceptionNamingTheParameter()
    {
        using var statement = new RawStatement(_connection, "SELECT $v");
        var ex = Assert.Throws<ArgumentException>(() => statement.Bind("$v", (object?)1.5));
        Assert.That(ex!.Message, Does.Contain("Double").And.Contain("$v"));
    }

    [Test]
    public void Bind_UnknownName_ThrowsArgumentExceptionNamingIt()
    {
        using var statement = new RawStatement(_connection, "SELECT n FROM t WHERE rowid > $after");
        var ex = Assert.Throws<ArgumentException>(() => statement.Bind("$before", 1));
        Assert.That(ex!.Message, Does.Contain("$before"));
    }
}
