// Entry point: `dotnet run -c Release --project tests/ReactiveSync.Benchmarks -- <scenario>|all`.
// Scenarios register themselves in ScenarioCatalog as their issues land.
using ReactiveSync.Benchmarks;

return await ScenarioCatalog.RunAsync(args);
