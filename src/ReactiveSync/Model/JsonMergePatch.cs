using System.Text.Json.Nodes;

namespace ReactiveSync.Model;

/// <summary>
/// JSON merge patch (RFC 7386), the payload of an Update: apply a patch to a document, and compose two patches
/// into one (for coalescing Update+Update). Never mutates its arguments.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> as RFC 7386 says; returns a new document.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result.TryGetPropertyValue(name, out var current);
                result[name] = Apply(current, value);
            }
        }

        return result;
    }

    /// <summary>
    /// Composes two patches so that applying the result equals applying <paramref name="first"/> then
    /// <paramref name="second"/>, for every target where <paramref name="first"/> does not replace an object
    /// member with a scalar that <paramref name="second"/> then patches as an object (a case RFC 7386 cannot express).
    /// </summary>
    public static JsonNode? Compose(JsonNode? first, JsonNode? second)
    {
        if (first is not JsonObject firstObject || second is not JsonObject secondObject)
        {
            return second?.DeepClone();
        }

        var result = (JsonObject)firstObject.DeepClone();
        foreach (var (name, value) in secondObject)
        {
            result.TryGetPropertyValue(name, out var current);
            result[name] = value is JsonObject && current is JsonObject ? Compose(current, value) : value?.DeepClone();
        }

        return result;
    }

    /// <summary>The names of the top-level fields a patch sets or removes.</summary>
    public static IReadOnlyList<string> FieldsOf(JsonNode? patch) =>
        patch is JsonObject patchObject ? patchObject.Select(static p => p.Key).ToList() : [];
}
