// Entry point: `dotnet run -c Release --project tests/ReactiveSync.Benchmarks -- <scenario>|micro|all|summary`.
// Scenarios register themselves in ScenarioCatalog by implementing IScenario; see docs/benchmarks.md.
using ReactiveSync.Benchmarks;

return await ScenarioCatalog.RunAsync(args);
