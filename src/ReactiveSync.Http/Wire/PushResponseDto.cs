namespace ReactiveSync.Http.Wire;

/// <summary>The body of a push answer; fields are nullable so a missing one is reported, not defaulted.</summary>
internal sealed class PushResponseDto
{
    public List<PushResultDto?>? Results { get; set; }
}
