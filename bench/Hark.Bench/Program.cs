using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench/Hark.Bench -- --filter '*'
// Each benchmark class states the target it measures against in its summary comment.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
