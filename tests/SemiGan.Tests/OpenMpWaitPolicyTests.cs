using SemiGan.Kernels;

namespace SemiGan.Tests;

/// <summary>
/// The wait policy must reach the OpenMP runtime, which reads the native environment: on Unix .NET's
/// Environment.SetEnvironmentVariable changes only .NET's own copy, so these read it back natively.
/// </summary>
public class OpenMpWaitPolicyTests
{
    [Fact]
    public void Unset_becomes_passive_in_the_native_environment()
    {
        string? before = OpenMpWaitPolicy.Get();
        try
        {
            OpenMpWaitPolicy.Set(null);
            Assert.Null(OpenMpWaitPolicy.Get());
            Assert.Equal("PASSIVE", OpenMpWaitPolicy.Apply());
            Assert.Equal("PASSIVE", OpenMpWaitPolicy.Get());
            Assert.Equal("PASSIVE", Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")); // what child processes get
        }
        finally { OpenMpWaitPolicy.Set(before); }
    }

    [Fact]
    public void A_value_the_user_set_is_kept()
    {
        string? before = OpenMpWaitPolicy.Get();
        try
        {
            OpenMpWaitPolicy.Set("ACTIVE");
            Assert.Equal("ACTIVE", OpenMpWaitPolicy.Apply());
            Assert.Equal("ACTIVE", OpenMpWaitPolicy.Get());
        }
        finally { OpenMpWaitPolicy.Set(before); }
    }
}
