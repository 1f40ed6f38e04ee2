// libtorch's OpenMP threads spin while waiting: torch tests running in parallel on 2 cores slow each
// other down many times over, so the whole suite runs serially.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

namespace SemiGan.Tests
{
    static class TestEnvironment
    {
        /// <summary>
        /// The test process and the runs it starts share cores only among themselves: a training run elsewhere on the
        /// machine would otherwise change their thread counts mid-run, and with them the rows tests compare bit for bit.
        /// </summary>
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void PrivateCoreShareRegistry() =>
            Environment.SetEnvironmentVariable(Kernels.CoreShare.FolderVariable,
                Path.Combine(Path.GetTempPath(), $"semigan-test-runs-{Environment.ProcessId}"));
    }
}
