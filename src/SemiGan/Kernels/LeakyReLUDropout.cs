using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// LeakyReLU followed by dropout, as torch defines them (dropout zeroes each element with probability p
/// and scales the rest by 1/(1-p); identity in eval mode), computed on CPU as one multiply x * f with the
/// factor f drawn by <see cref="DropoutMask"/>: one pass over the activations forward and one backward
/// instead of four. The mask's seed comes from torch's default generator, so torch.manual_seed and the
/// checkpointed RNG state still make runs reproducible. Other devices use torch's own kernels.
/// </summary>
public static class LeakyReLUDropout
{
    public static Tensor Apply(Tensor x, double negativeSlope, double p, bool training)
    {
        bool fused = training && p > 0 && x.device_type == DeviceType.CPU && x.dtype is ScalarType.Float32 or ScalarType.BFloat16
            && (x.is_contiguous() || ChannelsLast.Is(x));
        if (!fused)
        {
            var y = nn.functional.leaky_relu(x, negativeSlope);
            return training && p > 0 ? nn.functional.dropout(y, p, true) : y;
        }
        Tensor factor;
        using (no_grad())
        {
            // Test-only (DropoutInjection): with an injected keep mask, the factor is drawn with nothing dropped and then masked.
            var injected = Models.DropoutInjection.Masks?.Invoke(x);
            ulong seed = injected is not null ? 0 : (ulong)randint(long.MinValue, long.MaxValue, [1], dtype: ScalarType.Int64).item<long>();
            // The factor shares x's layout (so the product keeps it); both are read in storage order.
            bool nhwc = !x.is_contiguous();
            var xDense = nhwc ? x.permute(0, 2, 3, 1) : x;
            var dense = empty(xDense.shape, dtype: x.dtype, device: x.device);
            if (x.dtype == ScalarType.BFloat16) // bf16 activations (Autocast): the same draws, the factor in bf16
                DropoutMask.FillBf16(MemoryMarshal.Cast<byte, ushort>(dense.bytes), injected is null ? p : 0, seed,
                    MemoryMarshal.Cast<byte, ushort>(xDense.bytes), (float)negativeSlope);
            else
                DropoutMask.Fill(MemoryMarshal.Cast<byte, float>(dense.bytes), injected is null ? p : 0, seed,
                    MemoryMarshal.Cast<byte, float>(xDense.bytes), (float)negativeSlope);
            factor = nhwc ? dense.permute(0, 3, 1, 2) : dense;
            if (injected is not null) factor.mul_(injected / (1 - p));
        }
        return x.mul(factor);
    }
}
