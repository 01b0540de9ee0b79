using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ReactiveSync.Http.Wire;
using ReactiveSync.Model;

namespace ReactiveSync.Http.Internal;

/// <summary>Reads a 2xx JSON body, reporting each kind of malformed answer with its own message.</summary>
internal static class WireReader
{
    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
        where T : class
    {
        var status = (int)response.StatusCode;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var start = FirstNonWhitespace(bytes);
        if (start < 0)
        {
            throw new SyncException(HttpErrorClassifier.Malformed(what, "the body is empty", status));
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (bytes[start] == (byte)'<' || string.Equals(mediaType, "text/html", StringComparison.OrdinalIgnoreCase))
        {
            throw new SyncException(HttpErrorClassifier.Malformed(what, $"an HTML page instead of JSON (Content-Type {mediaType ?? "absent"})", status));
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(bytes, TypeInfo<T>.Value);
        }
        catch (JsonException ex)
        {
            var detail = IsTruncated(bytes)
                ? $"the JSON body is truncated (it ends after {bytes.Length} bytes)"
                : $"the body is not valid protocol JSON (at {ex.Path ?? "$"}, line {ex.LineNumber}, byte {ex.BytePositionInLine})";
            throw new SyncException(HttpErrorClassifier.Malformed(what, detail, status), ex);
        }

        return value ?? throw new SyncException(HttpErrorClassifier.Malformed(what, "the body is the JSON literal null", status));
    }

    /// <summary>Whether the bytes are a valid beginning of a JSON document that stops before its end.</summary>
    internal static bool IsTruncated(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 0 && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    return false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The resolved metadata of <typeparamref name="T"/>, looked up once instead of on every read.</summary>
    private static class TypeInfo<T>
    {
        public static readonly JsonTypeInfo<T> Value = (JsonTypeInfo<T>)WireJson.Options.GetTypeInfo(typeof(T));
    }

    private static int FirstNonWhitespace(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return i;
            }
        }

        return -1;
    }
}
