// A child process for crash tests: the integration tests start it, kill it with SIGKILL at a random moment, and
// check the files it left behind. Usage: ReactiveSync.CrashClient <subcommand> [arguments]
//   enqueue <database> [producers]   queue operations forever; print each id once QueueOperationAsync completed
//   sync <database> <server> <client> <operations> <resources>
//                                    queue the SyncWorkload's operations (0: none), sync them over HTTP, print progress
using ReactiveSync.CrashClient;

if (args.Length == 0 || !Commands.All.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: ReactiveSync.CrashClient <{string.Join('|', Commands.All.Keys)}> [arguments]");
    return 2;
}

return await command(args[1..]);
