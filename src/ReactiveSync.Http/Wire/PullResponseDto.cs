namespace ReactiveSync.Http.Wire;

/// <summary>The body of a pull answer.</summary>
internal sealed class PullResponseDto
{
    public List<ChangeDto?>? Changes { get; set; }

    public long? Checkpoint { get; set; }

    public bool? HasMore { get; set; }
}
