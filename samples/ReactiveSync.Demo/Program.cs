// The demo arrives with its own issue; until then this program says so and fails.
Console.Error.WriteLine("The ReactiveSync demo is not built yet.");
return 2;
