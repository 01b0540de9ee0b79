using System.Security.Cryptography;
using System.Text;

namespace ReactiveSync.Server.Internal;

/// <summary>
/// File names for content: the SHA-256 of the resource id (so no id can escape the content root, collide or be a
/// reserved name) joined with the content's hash (so a new version is a new file and open readers keep theirs).
/// </summary>
internal static class ContentFileNames
{
    public static string ForResource(string resourceId, string contentHash) =>
        $"{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(resourceId)))}-{contentHash}.bin";

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
