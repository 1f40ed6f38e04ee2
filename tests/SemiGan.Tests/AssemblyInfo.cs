// libtorch's OpenMP threads spin while waiting: torch tests running in parallel on 2 cores slow each
// other down many times over, so the whole suite runs serially.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
