using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveSync.Http.Wire;

/// <summary>The JSON settings of the sync protocol: camelCase names, enums as snake_case lowercase strings, nulls written.</summary>
internal static class WireJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // The protocol's names are exact; a server sending "Status" is not speaking it.
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
