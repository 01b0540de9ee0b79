using Microsoft.Data.Sqlite;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>Plain INSERTs of valid queue rows, for the raw baselines and for filling a large queue fast.</summary>
internal static class QueueRows
{
    public static SqliteCommand PrepareInsert(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO offline_operations (id, operation_type, resource_type, resource_id, data, priority, retry_count, max_retries,
              created_at, scheduled_at, state, sequence, client_timestamp, ever_sent)
            VALUES ($id, 'Create', 'post', $rid, $data, $priority, 0, 3, $at, $at, 0, $seq, $at, 0);
            """;
        foreach (var name in new[] { "$id", "$rid", "$data", "$priority", "$at", "$seq" })
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static void Bind(SqliteCommand insert, long sequence, DateTimeOffset now)
    {
        var at = now.AddTicks(sequence);
        insert.Parameters["$id"].Value = Guid.CreateVersion7(at).ToString();
        insert.Parameters["$rid"].Value = Guid.CreateVersion7(at).ToString();
        insert.Parameters["$data"].Value = $$"""{"title":"offline post","body":"written on a train","n":{{sequence}}}""";
        insert.Parameters["$priority"].Value = (int)(sequence % 4);
        insert.Parameters["$at"].Value = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        insert.Parameters["$seq"].Value = sequence;
    }
}
