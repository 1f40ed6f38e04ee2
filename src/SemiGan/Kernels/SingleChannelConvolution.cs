using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// The two convolutions with a single image channel on one side, written as a 1x1 convolution to (or
/// from) the k·k kernel taps plus a col2im (<see cref="ImageColumns"/>): oneDNN's kernels for one channel
/// are slow (1.4–2.2 ms per call at batch 100 for 40 MFLOP), its 1x1 convolutions are fast (0.13 ms).
/// Same sums, taken in a different order. Both take channels-last activations.
/// </summary>
public static class SingleChannelConvolution
{
    /// <summary>
    /// conv_transpose2d(h, weight, bias, stride, padding) for weight [C,1,k,k]: the generator's last layer.
    /// Plain autograd: the 1x1 convolution's backward is oneDNN's, the col2im's is an im2col.
    /// </summary>
    public static Tensor TransposedToImage(Tensor h, Tensor weight, Tensor bias, int stride, int padding)
    {
        // A bfloat16 h (the fast generator under bf16) goes through the 1x1 convolution, which returns float32 taps.
        if (h.device_type != DeviceType.CPU || h.dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            return Autocast.ConvTranspose2d(h, weight, bias, stride, padding);
        return ScatterToImage(h, weight, Geometry(h, weight, stride, padding)).add(bias.view(1, 1, 1, 1));
    }

    /// <summary>
    /// conv2d(x, weight, bias, stride, padding) for x [N,1,H,W] whose gradient is wanted but whose weight
    /// and bias are frozen (the discriminator's first layer in the generator update): the forward is
    /// torch's, the input gradient (a transposed convolution to one channel) is computed as above.
    /// </summary>
    public static Tensor FromImageInputGradientOnly(Tensor x, Tensor weight, Tensor bias, int stride, int padding) =>
        ImageColumns.Supports(x)
            ? FromImageFunction.apply(x, weight, bias, stride, padding)
            : Autocast.Conv2d(x, weight, bias, stride, padding); // other devices: torch's own

    /// <summary>The transposed convolution of grid a [N,C,H,W] to one channel: 1x1 convolution to the taps, then col2im.</summary>
    static Tensor ScatterToImage(Tensor a, Tensor weight, ImageColumns.Geometry g) =>
        ImageColumns.ToImage(Autocast.Conv2d(ChannelsLast.Is(a) ? a : ChannelsLast.From(a), Taps(weight), null), g);

    /// <summary>weight [C,1,k,k] as a 1x1 convolution kernel [k·k, C, 1, 1] from C channels to the k·k taps.</summary>
    static Tensor Taps(Tensor weight)
    {
        long c = weight.shape[0], k = weight.shape[2];
        return weight.reshape(c, k * k).t().contiguous().view(k * k, c, 1, 1);
    }

    /// <summary>Geometry of a stride-s transposed convolution from grid a [N,C,H,W] to one channel.</summary>
    static ImageColumns.Geometry Geometry(Tensor a, Tensor weight, int stride, int padding, long imageHeight = -1, long imageWidth = -1)
    {
        int k = (int)weight.shape[2];
        long h = a.shape[2], w = a.shape[3];
        return new ImageColumns.Geometry(k, stride, padding, h, w,
            imageHeight >= 0 ? imageHeight : (h - 1) * stride - 2 * padding + k,
            imageWidth >= 0 ? imageWidth : (w - 1) * stride - 2 * padding + k);
    }

    sealed class FromImageFunction : autograd.SingleTensorFunction<FromImageFunction>
    {
        public override string Name => nameof(FromImageFunction);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (x, weight, bias, stride, padding) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (int)vars[3], (int)vars[4]);
            ctx.save_for_backward([weight]);
            ctx.save_data("stride", stride);
            ctx.save_data("padding", padding);
            ctx.save_data("height", x.shape[2]);
            ctx.save_data("width", x.shape[3]);
            ctx.save_data("precision", Autocast.Current); // the backward pass computes in the forward's precision
            return Autocast.Conv2d(x, weight, bias, stride, padding);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var weight = ctx.get_saved_variables()[0];
            int stride = (int)ctx.get_data("stride"), padding = (int)ctx.get_data("padding");
            long height = (long)ctx.get_data("height"), width = (long)ctx.get_data("width");
            using var precision = Autocast.Use((Precision)ctx.get_data("precision"));
            // d/dx of a 1 -> C convolution is a C -> 1 transposed convolution with the same weight [C,1,k,k].
            var gradX = ScatterToImage(grad, weight, Geometry(grad, weight, stride, padding, height, width));
            return [gradX, null!, null!, null!, null!]; // weight and bias are frozen
        }
    }
}
