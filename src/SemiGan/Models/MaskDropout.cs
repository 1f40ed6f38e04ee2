using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// Dropout as torch defines it (zero each element with probability p, scale the rest by 1/(1-p); identity
/// in eval mode), with the CPU mask drawn by <see cref="DropoutMask"/> and seeded from torch's default
/// generator, so torch.manual_seed and checkpointed RNG state still make runs reproducible. On other
/// devices torch's own fused dropout is already fast and is used as is.
/// </summary>
public sealed class MaskDropout : nn.Module<Tensor, Tensor>
{
    readonly double p;

    public MaskDropout(double p, string name = "MaskDropout") : base(name) { this.p = p; }

    public override Tensor forward(Tensor x)
    {
        // A new handle, not x itself: Sequential disposes each intermediate result after the next layer.
        if (!training || p == 0) return x.alias();
        if (x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32) return nn.functional.dropout(x, p, true);
        Tensor mask;
        using (no_grad())
        {
            ulong seed = (ulong)randint(long.MinValue, long.MaxValue, [1], dtype: ScalarType.Int64).item<long>();
            // The mask shares x's layout (so the product keeps it); its memory is filled in storage order.
            if (ChannelsLast.Is(x))
            {
                var nhwc = empty([x.shape[0], x.shape[2], x.shape[3], x.shape[1]], dtype: x.dtype, device: x.device);
                DropoutMask.Fill(MemoryMarshal.Cast<byte, float>(nhwc.bytes), p, seed);
                mask = nhwc.permute(0, 3, 1, 2);
            }
            else
            {
                mask = empty(x.shape, dtype: x.dtype, device: x.device);
                DropoutMask.Fill(MemoryMarshal.Cast<byte, float>(mask.bytes), p, seed);
            }
        }
        return x.mul(mask);
    }
}
