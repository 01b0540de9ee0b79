using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace ReactiveSync.Sample.ViewModels;

/// <summary>
/// <see cref="INotifyPropertyChanged"/> by hand, shaped like MVVM Toolkit's <c>ObservableObject</c> and ReactiveUI's
/// <c>RaiseAndSetIfChanged</c>: a property setter calls <see cref="SetProperty{T}"/>.
/// </summary>
public abstract class ViewModelBase : INotifyPropertyChanged
{
    /// <inheritdoc/>
    public event PropertyChangedEventHandler? PropertyChanged;

    /// <summary>Sets <paramref name="field"/> and raises <see cref="PropertyChanged"/> when the value changed; answers whether it did.</summary>
    protected bool SetProperty<T>(ref T field, T value, [CallerMemberName] string? propertyName = null)
    {
        if (EqualityComparer<T>.Default.Equals(field, value))
        {
            return false;
        }

        field = value;
        OnPropertyChanged(propertyName);
        return true;
    }

    /// <summary>Raises <see cref="PropertyChanged"/> for <paramref name="propertyName"/>.</summary>
    protected void OnPropertyChanged([CallerMemberName] string? propertyName = null) =>
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(propertyName));
}
