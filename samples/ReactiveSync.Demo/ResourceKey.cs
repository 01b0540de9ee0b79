using ReactiveSync.Model;

namespace ReactiveSync.Demo;

/// <summary>A resource's identity: its type and id.</summary>
internal readonly record struct ResourceKey(string Type, string Id)
{
    public static ResourceKey Of(ResourceType type, string id) => new(type.Value, id);

    public override string ToString() => $"{Type}/{Id}";
}
