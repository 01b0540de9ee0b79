using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// One bounded read of a priority's pending index for batch selection (see
/// <see cref="IOperationStoreTransaction.ScanPending"/>): the rows that are first on their resource and wait for no
/// stored dependency, and how far the read went.
/// </summary>
/// <param name="Ready">Operations read that have no earlier stored operation on their resource and no dependency still stored, by sequence.</param>
/// <param name="Scanned">How many pending rows were read, ready or not (zero: nothing pending above the start).</param>
/// <param name="LastSequence">The sequence of the last row read, or the start sequence when none was read.</param>
public sealed record PendingScan(IReadOnlyList<OfflineOperation> Ready, int Scanned, long LastSequence);
