using System.Net.NetworkInformation;
using System.Reactive;
using System.Reactive.Linq;
using ReactiveSync.Network;

namespace ReactiveSync.Http.Internal;

/// <summary>What the operating system says about the network: change events, availability, and the kind of link.</summary>
internal sealed class SystemNetwork
{
    public static SystemNetwork Default { get; } = new(
        CreateChanges(),
        static () =>
        {
            try
            {
                return NetworkInterface.GetIsNetworkAvailable();
            }
            catch (NetworkInformationException)
            {
                return true;
            }
        },
        DetectKind);

    public SystemNetwork(IObservable<Unit> changes, Func<bool> isAvailable, Func<NetworkKind> kind)
    {
        Changes = changes;
        IsAvailable = isAvailable;
        Kind = kind;
    }

    /// <summary>Emits (on any thread) when the OS reports an availability or address change; never errors.</summary>
    public IObservable<Unit> Changes { get; }

    public Func<bool> IsAvailable { get; }

    public Func<NetworkKind> Kind { get; }

    private static IObservable<Unit> CreateChanges()
    {
        var availability = Observable
            .FromEventPattern<NetworkAvailabilityChangedEventHandler, NetworkAvailabilityEventArgs>(
                h => NetworkChange.NetworkAvailabilityChanged += h,
                h => NetworkChange.NetworkAvailabilityChanged -= h)
            .Select(static _ => Unit.Default);
        var address = Observable
            .FromEventPattern<NetworkAddressChangedEventHandler, EventArgs>(
                h => NetworkChange.NetworkAddressChanged += h,
                h => NetworkChange.NetworkAddressChanged -= h)
            .Select(static _ => Unit.Default);

        // Platforms without change notifications (browsers, some sandboxes) fall back to the periodic probe alone.
        return availability.Merge(address).Catch(Observable.Never<Unit>());
    }

    private static NetworkKind DetectKind()
    {
        try
        {
            var kinds = NetworkInterface.GetAllNetworkInterfaces()
                .Where(static n => n.OperationalStatus == OperationalStatus.Up
                                   && n.NetworkInterfaceType is not (NetworkInterfaceType.Loopback or NetworkInterfaceType.Tunnel))
                .Select(static n => n.NetworkInterfaceType switch
                {
                    NetworkInterfaceType.Ethernet or NetworkInterfaceType.Ethernet3Megabit or NetworkInterfaceType.FastEthernetT
                        or NetworkInterfaceType.FastEthernetFx or NetworkInterfaceType.GigabitEthernet => NetworkKind.Ethernet,
                    NetworkInterfaceType.Wireless80211 => NetworkKind.WiFi,
                    NetworkInterfaceType.Wwanpp or NetworkInterfaceType.Wwanpp2 or NetworkInterfaceType.Ppp => NetworkKind.Cellular,
                    _ => NetworkKind.Unknown,
                })
                .ToList();

            // Prefer the unmetered link when several are up.
            return kinds.Count == 0 ? NetworkKind.None
                : kinds.Contains(NetworkKind.Ethernet) ? NetworkKind.Ethernet
                : kinds.Contains(NetworkKind.WiFi) ? NetworkKind.WiFi
                : kinds.Contains(NetworkKind.Cellular) ? NetworkKind.Cellular
                : NetworkKind.Unknown;
        }
        catch (NetworkInformationException)
        {
            return NetworkKind.Unknown;
        }
    }
}
