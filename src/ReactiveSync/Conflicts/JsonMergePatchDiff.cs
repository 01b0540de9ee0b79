using System.Text.Json.Nodes;

namespace ReactiveSync.Conflicts;

/// <summary>
/// Computes a JSON merge patch (RFC 7386) that turns one document into another: the inverse of
/// <see cref="Model.JsonMergePatch.Apply"/>. Never mutates its arguments.
/// </summary>
internal static class JsonMergePatchDiff
{
    /// <summary>
    /// A patch p with <c>Apply(source, p)</c> equal to <paramref name="target"/>; an empty object when they are equal.
    /// RFC 7386 cannot set a member to JSON null (null removes it), so a null-valued member of
    /// <paramref name="target"/> comes out absent after applying.
    /// </summary>
    public static JsonNode? Diff(JsonNode? source, JsonNode? target)
    {
        if (target is not JsonObject targetObject)
        {
            // A non-object patch replaces the whole document.
            return JsonNode.DeepEquals(source, target) ? new JsonObject() : target?.DeepClone();
        }

        if (source is not JsonObject sourceObject)
        {
            // Applying an object patch to a non-object starts from {}: the patch is the target without its nulls.
            return WithoutNulls(targetObject);
        }

        return DiffObjects(sourceObject, targetObject);
    }

    /// <summary>Whether <paramref name="patch"/> changes nothing (an empty object).</summary>
    public static bool IsEmpty(JsonNode? patch) => patch is JsonObject { Count: 0 };

    private static JsonObject DiffObjects(JsonObject source, JsonObject target)
    {
        var patch = new JsonObject();
        foreach (var (name, _) in source)
        {
            if (!target.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        foreach (var (name, targetValue) in target)
        {
            var inSource = source.TryGetPropertyValue(name, out var sourceValue);
            if (targetValue is null)
            {
                // Null can only be expressed as removal.
                if (inSource)
                {
                    patch[name] = null;
                }
            }
            else if (targetValue is JsonObject targetChild && sourceValue is JsonObject sourceChild)
            {
                var childPatch = DiffObjects(sourceChild, targetChild);
                if (childPatch.Count > 0)
                {
                    patch[name] = childPatch;
                }
            }
            else if (!inSource || !JsonNode.DeepEquals(sourceValue, targetValue))
            {
                patch[name] = targetValue is JsonObject objectValue ? WithoutNulls(objectValue) : targetValue.DeepClone();
            }
        }

        return patch;
    }

    private static JsonObject WithoutNulls(JsonObject value)
    {
        var result = new JsonObject();
        foreach (var (name, child) in value)
        {
            if (child is not null)
            {
                result[name] = child is JsonObject childObject ? WithoutNulls(childObject) : child.DeepClone();
            }
        }

        return result;
    }
}
