using SemiGan.Models;
using SemiGan.Benchmarks;

namespace SemiGan.Tests;

public class FlopCountTests
{
    [Fact]
    public void Discriminator_forward_count_matches_the_layer_arithmetic()
    {
        // 2 * Cin * Cout * k^2 * Hout * Wout per conv, 2 * in * out for the linear layer.
        long expected = 2L * 1 * 32 * 16 * 14 * 14 + 2L * 32 * 64 * 16 * 7 * 7 + 2L * 64 * 128 * 9 * 4 * 4 + 2L * 2048 * 10;
        Assert.Equal(5_812_224, expected);
        Assert.Equal(expected, FlopCount.DiscriminatorForward(10));
        Assert.Equal(expected + 2L * 2048, FlopCount.DiscriminatorForward(11));
    }

    [Fact]
    public void Step_counts_are_forward_plus_twice_forward_for_backward()
    {
        long d = FlopCount.DiscriminatorForward(10), g = FlopCount.GeneratorForward(100);
        Assert.Equal(3 * d - FlopCount.DiscriminatorFirstLayer, FlopCount.BaselineStep(10));
        Assert.Equal(8 * d - 2 * FlopCount.DiscriminatorFirstLayer + 3 * g - FlopCount.GeneratorFirstLayer(100), FlopCount.SganStep(10, 100));
        Assert.Equal(9 * d - 2 * FlopCount.DiscriminatorFirstLayer + 3 * g - FlopCount.GeneratorFirstLayer(100), FlopCount.SganStep(10, 100, Implementation.Reference));
        Assert.Equal(2L * 100 * 6272 + 2L * 128 * 64 * 16 * 49 + 2L * 64 * 16 * 196, g);
    }
}
