namespace ReactiveSync.Demo;

/// <summary>A file a device attached offline: who, the media attachment's id, its name, the local file, its size and SHA-256.</summary>
internal sealed record Attachment(string Owner, string ResourceId, string Title, string LocalPath, long Size, byte[] Sha256);
