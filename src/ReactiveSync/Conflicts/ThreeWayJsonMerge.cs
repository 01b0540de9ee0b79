using System.Text.Json.Nodes;

namespace ReactiveSync.Conflicts;

/// <summary>
/// A three-way merge of JSON objects against their common base: a member only one side changed takes that side's value;
/// a member both changed to different values takes the client's and is reported as conflicting; nested objects both
/// sides changed are merged member by member. Absent and present-with-null are different states. Never mutates its arguments.
/// </summary>
internal static class ThreeWayJsonMerge
{
    /// <summary>
    /// Merges <paramref name="client"/> and <paramref name="server"/> against <paramref name="baseDocument"/>. Returns the
    /// merged document and the paths of the members both changed differently (nested paths joined with '.'), in document order.
    /// </summary>
    public static (JsonObject Merged, IReadOnlyList<string> ConflictingFields) Merge(JsonObject baseDocument, JsonObject client, JsonObject server)
    {
        var conflicts = new List<string>();
        var merged = MergeObjects(baseDocument, client, server, prefix: "", conflicts);
        return (merged, conflicts);
    }

    private static JsonObject MergeObjects(JsonObject baseObject, JsonObject client, JsonObject server, string prefix, List<string> conflicts)
    {
        var result = new JsonObject();

        // Server order first, then members only the client has, then members only the base has (they may be kept when removed by neither).
        var names = server.Select(static p => p.Key)
            .Concat(client.Select(static p => p.Key))
            .Concat(baseObject.Select(static p => p.Key))
            .Distinct(StringComparer.Ordinal);

        foreach (var name in names)
        {
            var inBase = baseObject.TryGetPropertyValue(name, out var baseValue);
            var inClient = client.TryGetPropertyValue(name, out var clientValue);
            var inServer = server.TryGetPropertyValue(name, out var serverValue);

            var clientChanged = Changed(inBase, baseValue, inClient, clientValue);
            var serverChanged = Changed(inBase, baseValue, inServer, serverValue);

            bool keep;
            JsonNode? value;
            if (!clientChanged)
            {
                (keep, value) = (inServer, serverValue?.DeepClone());
            }
            else if (!serverChanged || !Changed(inClient, clientValue, inServer, serverValue))
            {
                // Only the client changed it, or both made the same change.
                (keep, value) = (inClient, clientValue?.DeepClone());
            }
            else if (clientValue is JsonObject clientChild && serverValue is JsonObject serverChild)
            {
                var baseChild = baseValue as JsonObject ?? [];
                (keep, value) = (true, MergeObjects(baseChild, clientChild, serverChild, prefix + name + ".", conflicts));
            }
            else
            {
                conflicts.Add(prefix + name);
                (keep, value) = (inClient, clientValue?.DeepClone());
            }

            if (keep)
            {
                result[name] = value;
            }
        }

        return result;
    }

    private static bool Changed(bool wasPresent, JsonNode? was, bool isPresent, JsonNode? now) =>
        wasPresent != isPresent || (isPresent && !JsonNode.DeepEquals(was, now));
}
