using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.CrashClient;

/// <summary>
/// The operations the <c>sync</c> subcommand queues, shared with the test that checks the server afterwards: operation
/// <c>k</c> of a client touches note <c>k % resources</c>, a Create in the first round, then blind Updates (no base
/// version) setting <c>value</c> to the round. Ids are derived from (client, k), so the test knows them all. Blind
/// updates make a double apply visible: the version would count it.
/// </summary>
public static class SyncWorkload
{
    /// <summary>The resource type of the workload; coalescing is off for it.</summary>
    public static ResourceType Note { get; } = ResourceType.From("note");

    /// <summary>The engine configuration of the syncing client: batches of 25, quick retries, enough of them that nothing fails, no folding.</summary>
    public static SyncConfiguration Configuration { get; } = new()
    {
        BatchSize = 25,
        InitialRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        MaxRetries = 50,
        QueueChangeDebounce = TimeSpan.FromMilliseconds(20),
        CoalescingDisabledFor = new HashSet<ResourceType> { Note },
    };

    /// <summary>The id of operation <paramref name="index"/> of <paramref name="clientId"/>.</summary>
    public static Guid OperationId(string clientId, int index)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{clientId}/{index}")), hash);
        var bytes = hash[..16];
        // RFC 9562 version 8 (custom), variant 10.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The id of note <paramref name="resource"/> of <paramref name="clientId"/>.</summary>
    public static string ResourceId(string clientId, int resource) =>
        string.Create(CultureInfo.InvariantCulture, $"{clientId}-note-{resource:D4}");

    /// <summary>How many of <paramref name="operations"/> operations touch note <paramref name="resource"/>.</summary>
    public static int OperationsOn(int resource, int operations, int resources) =>
        resource >= operations ? 0 : ((operations - 1 - resource) / resources) + 1;

    /// <summary>Operation <paramref name="index"/> of <paramref name="clientId"/>.</summary>
    public static OperationRequest Request(string clientId, int index, int resources)
    {
        var round = index / resources;
        return new OperationRequest
        {
            Id = OperationId(clientId, index),
            Type = round == 0 ? OperationType.Create : OperationType.Update,
            ResourceType = Note,
            ResourceId = ResourceId(clientId, index % resources),
            Data = round == 0
                ? new JsonObject { ["owner"] = clientId, ["value"] = 0 }
                : new JsonObject { ["value"] = round },
        };
    }

    internal static int ParseCount(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
