namespace ReactiveSync.Background;

/// <summary>Thrown for an invalid <see cref="BackgroundSyncConfiguration"/>; names the field and its value.</summary>
public sealed class BackgroundSyncConfigurationException : ArgumentException
{
    /// <summary>Creates the exception for one invalid field.</summary>
    public BackgroundSyncConfigurationException(string field, object? value, string rule)
        : base($"BackgroundSyncConfiguration.{field} {rule}; got {value ?? "null"}.", field)
    {
        Field = field;
        Value = value;
    }

    /// <summary>The invalid field's name, e.g. <c>MinimumBatteryLevel</c>.</summary>
    public string Field { get; }

    /// <summary>The rejected value.</summary>
    public object? Value { get; }
}
