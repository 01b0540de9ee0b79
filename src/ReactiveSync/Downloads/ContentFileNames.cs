using System.Security.Cryptography;
using System.Text;

namespace ReactiveSync.Downloads;

/// <summary>
/// Maps resource ids to files under one content root. A name is the SHA-256 of the id's UTF-8 bytes in hex, so no id
/// (<c>../../etc/passwd</c>, an absolute path, <c>CON</c>, a very long id, ids differing only in case) can leave the
/// root, hit a reserved name, pass a length limit or collide with another on a case-insensitive file system.
/// </summary>
internal sealed class ContentFileNames
{
    public ContentFileNames(string contentRoot)
    {
        Root = Path.GetFullPath(contentRoot);
    }

    /// <summary>The content root, absolute.</summary>
    public string Root { get; }

    /// <summary>Where the completed file of <paramref name="resourceId"/> lives.</summary>
    public string FinalPath(string resourceId) => Path.Combine(Root, NameOf(resourceId) + ".bin");

    /// <summary>Where the partial file of <paramref name="resourceId"/> is written before it is renamed into place.</summary>
    public string PartialPath(string resourceId) => Path.Combine(Root, NameOf(resourceId) + ".part");

    internal static string NameOf(string resourceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(resourceId), hash);
        return Convert.ToHexStringLower(hash);
    }
}
