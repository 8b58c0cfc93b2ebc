// libtorch's random generator is process-wide: a model built or a dropout mask drawn by a test running in parallel
// would change another test's weights, so the determinism tests need the assembly to run serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
