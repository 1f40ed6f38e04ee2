using SemiGan.Kernels;

namespace SemiGan.Tests;

/// <summary>
/// The wait policy must be read from the native environment, which the OpenMP runtime reads: on Unix .NET's
/// Environment.SetEnvironmentVariable changes only .NET's own copy.
/// </summary>
public class OpenMpWaitPolicyTests
{
    [Fact]
    public void Unset_is_left_unset_and_described_as_GNU_OpenMPs_default()
    {
        string? before = OpenMpWaitPolicy.Get();
        try
        {
            OpenMpWaitPolicy.Set(null);
            Assert.Null(OpenMpWaitPolicy.Get());
            Assert.StartsWith("unset", OpenMpWaitPolicy.Describe());
        }
        finally { OpenMpWaitPolicy.Set(before); }
    }

    [Fact]
    public void A_value_the_user_set_is_read_natively_and_recorded()
    {
        string? before = OpenMpWaitPolicy.Get();
        try
        {
            OpenMpWaitPolicy.Set("ACTIVE");
            Assert.Equal("ACTIVE", OpenMpWaitPolicy.Get());
            Assert.Equal("ACTIVE", OpenMpWaitPolicy.Describe());
        }
        finally { OpenMpWaitPolicy.Set(before); }
    }
}
