using SemiGan.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// The fast path's fused LeakyReLU-dropout draws its masks with its own generator (<see cref="DropoutMask"/>:
/// four xoshiro256** streams in SIMD lanes, seeded by one draw from torch's generator), not torch's bernoulli.
/// These tests hold those masks to dropout's definition (torch's: each element zeroed with probability p,
/// independently, the rest scaled by 1/(1−p)) on a channels-last activation, as the discriminator's are.
/// Every statistical bound is 5σ of the statistic under that definition for this sample size (n = 2^22
/// elements: a two-sided 5σ excursion has probability 5.7e-7 per check).
/// </summary>
public class DropoutDistributionTests
{
    const double P = 0.3, Keep = 1 - P, Slope = 0.2;
    const int N = 128, C = 32, H = 32, W = 32; // n = 2^22 elements
    const long Count = (long)N * C * H * W;

    /// <summary>Keep indicators (0/1, float64) of one training-mode call, in storage (N,H,W,C) order, i.e. the order the mask is drawn in, and the call's output.</summary>
    static (Tensor Kept, Tensor Output) Draw(Tensor x)
    {
        var y = LeakyReLUDropout.Apply(x, Slope, P, training: true);
        Assert.True(ChannelsLast.Is(y));
        return (y.ne(0).permute(0, 2, 3, 1).reshape(-1).to_type(ScalarType.Float64), y);
    }

    static Tensor Input()
    {
        torch.random.manual_seed(31);
        return ChannelsLast.From(randn(N, C, H, W)); // no exact zeros, half negative
    }

    static double Sigma(long n) => Math.Sqrt(P * Keep / n);

    [Fact]
    public void Keep_rate_is_one_minus_p_overall_per_lane_and_for_either_sign_of_the_input()
    {
        using var scope = NewDisposeScope();
        var x = Input();
        var (kept, _) = Draw(x);
        // Overall: p̂ ~ N(0.7, 0.21/n), σ = 2.2e-4.
        Assert.InRange(kept.mean().item<double>(), Keep - 5 * Sigma(Count), Keep + 5 * Sigma(Count));
        // Per position within the 8-float vector (four 64-bit lanes, each split into two 32-bit uniforms): n/8 each, σ = 6.3e-4.
        var byLane = kept.view(-1, 8).mean([0]);
        for (int lane = 0; lane < 8; lane++)
            Assert.InRange(byLane[lane].item<double>(), Keep - 5 * Sigma(Count / 8), Keep + 5 * Sigma(Count / 8));
        // The factor depends on the input's sign; whether an element is kept must not.
        var positive = x.gt(0).permute(0, 2, 3, 1).reshape(-1);
        foreach (var side in new[] { positive, positive.logical_not() })
        {
            long n = side.sum().item<long>();
            Assert.InRange(kept.masked_select(side).mean().item<double>(), Keep - 5 * Sigma(n), Keep + 5 * Sigma(n));
        }
    }

    [Fact]
    public void Kept_values_are_leaky_relu_scaled_by_exactly_one_over_one_minus_p_and_dropped_ones_are_zero()
    {
        using var scope = NewDisposeScope();
        var x = Input();
        var (kept, y) = Draw(x);
        var keptMask = y.ne(0);
        float scale = (float)(1 / Keep);
        // y = x·f with f = 1/(1−p) for x > 0 and slope/(1−p) below: the ratio is exact up to float rounding (≤ 1 ulp of f, 1.2e-7 relative).
        var ratio = (y / x).masked_select(keptMask);
        var expected = where(x.gt(0), scale, scale * (float)Slope).masked_select(keptMask);
        Assert.True(((ratio - expected).abs() / expected).max().item<float>() <= 2.4e-7f, "kept values are not leaky_relu(x)/(1−p)");
        // Dropped entries are exactly 0 (none of randn's inputs is 0, so y ≠ 0 marks the kept ones).
        Assert.Equal(0, x.eq(0).sum().item<long>());
        Assert.Equal(Count - (long)kept.sum().item<double>(), y.eq(0).sum().item<long>());
        // Its backward is that factor: dy/dx = f where kept, 0 where dropped.
        var xg = x.detach().clone().requires_grad_(true);
        var (_, yg) = Draw(xg);
        yg.sum().backward();
        var factor = where(yg.ne(0), where(xg.gt(0), scale, scale * (float)Slope), 0f);
        Assert.True(xg.grad!.equal(factor).all().item<bool>(), "the gradient is not the dropout-scaled leaky_relu slope");
    }

    [Fact]
    public void Kept_entries_are_independent_across_lanes_positions_and_calls()
    {
        using var scope = NewDisposeScope();
        var x = Input();
        var (a, _) = Draw(x);
        var (b, _) = Draw(x); // the next call: a new seed drawn from torch's generator

        // Correlation of keep indicators at a lag, in the order they are drawn: lag 1 pairs the two 32-bit
        // halves of one 64-bit output (or neighbouring lanes), 2 and 4 neighbouring generators, 8 one
        // generator's consecutive outputs, 9 and 16 across vectors, C one pixel's next. Independent
        // indicators give r ~ N(0, 1/n): |r| < 5/√n = 2.4e-3.
        double bound = 5 / Math.Sqrt(Count);
        foreach (int lag in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, C })
        {
            double r = Correlation(a.narrow(0, 0, Count - lag), a.narrow(0, lag, Count - lag));
            Assert.True(Math.Abs(r) < bound, $"lag {lag}: correlation {r:E2} beyond {bound:E2}");
        }
        double across = Correlation(a, b);
        Assert.True(Math.Abs(across) < bound, $"consecutive calls: correlation {across:E2} beyond {bound:E2}");

        // Jointly within one 8-wide vector: the 256 keep patterns against their binomial probabilities.
        // χ² with 255 degrees of freedom; its 1 − 1e-7 quantile is 390 (Wilson–Hilferty); the rarest
        // pattern (all 8 dropped) is still expected 34 times among the 2^19 vectors.
        var patterns = (a.view(-1, 8) * tensor(new double[] { 1, 2, 4, 8, 16, 32, 64, 128 })).sum([1]).to_type(ScalarType.Int64).bincount(null, 256).to_type(ScalarType.Float64);
        var keptCount = tensor(Enumerable.Range(0, 256).Select(v => (double)System.Numerics.BitOperations.PopCount((uint)v)).ToArray());
        var expected = pow(Keep, keptCount) * pow(P, 8 - keptCount) * (Count / 8);
        double chi2 = ((patterns - expected).square() / expected).sum().item<double>();
        Assert.True(chi2 < 390, $"χ² of the 8-lane keep patterns is {chi2:F0} (255 dof; 390 is its 1 − 1e-7 quantile)");
    }

    static double Correlation(Tensor u, Tensor v)
    {
        var (du, dv) = (u - u.mean(), v - v.mean());
        return ((du * dv).mean() / (du.square().mean().sqrt() * dv.square().mean().sqrt())).item<double>();
    }
}
