using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// The two convolutions with a single image channel on one side, written as one matrix product plus an
/// im2col/col2im: oneDNN's CPU kernels for them are slow (2.2 ms and 1.8 ms per call at batch 100,
/// against ~0.8 ms here). Same sums, taken in a different order. Both take channels-last activations.
/// </summary>
public static class SingleChannelConvolution
{
    /// <summary>
    /// conv_transpose2d(h, weight, bias, stride, padding) for weight [C,1,k,k]: the generator's last layer.
    /// </summary>
    public static Tensor TransposedToImage(Tensor h, Tensor weight, Tensor bias, int stride, int padding) =>
        TransposedToImageFunction.apply(h, weight, bias, stride, padding);

    /// <summary>
    /// conv2d(x, weight, bias, stride, padding) for x [N,1,H,W] whose gradient is wanted but whose weight
    /// and bias are frozen (the discriminator's first layer in the generator update): the forward is
    /// torch's, the input gradient (a transposed convolution to one channel) is computed as above.
    /// </summary>
    public static Tensor FromImageInputGradientOnly(Tensor x, Tensor weight, Tensor bias, int stride, int padding) =>
        FromImageFunction.apply(x, weight, bias, stride, padding);

    /// <summary>col2im of a per-pixel product: y[n,0] = Σ_c,taps a[n,c,pixel]·w[c,tap], placed as a stride-s transposed convolution.</summary>
    static Tensor ScatterToImage(Tensor a, Tensor weight, int stride, int padding, long outH, long outW)
    {
        long n = a.shape[0], c = a.shape[1], h = a.shape[2], w = a.shape[3], k = weight.shape[2];
        var pixels = a.permute(0, 2, 3, 1).reshape(n * h * w, c);           // a view when a is channels-last
        var columns = pixels.mm(weight.reshape(c, k * k));                    // [n*h*w, k*k]
        columns = columns.view(n, h * w, k * k).transpose(1, 2);            // [n, k*k, h*w] as fold wants
        return nn.functional.fold(columns, (outH, outW), (k, k), stride: (stride, stride), padding: (padding, padding));
    }

    /// <summary>Σ over batch and pixels of a[n,c,pixel]·patch(img)[n,tap,pixel]: a weight gradient [C,1,k,k].</summary>
    static Tensor CorrelateWithImage(Tensor a, Tensor image, long k, int stride, int padding)
    {
        long n = a.shape[0], c = a.shape[1], h = a.shape[2], w = a.shape[3];
        var patches = nn.functional.unfold(image, (k, k), stride: (stride, stride), padding: (padding, padding)); // [n, k*k, h*w]
        var pixels = a.permute(0, 2, 3, 1).reshape(n * h * w, c);
        return pixels.t().mm(patches.transpose(1, 2).reshape(n * h * w, k * k)).view(c, 1, k, k);
    }

    sealed class TransposedToImageFunction : autograd.SingleTensorFunction<TransposedToImageFunction>
    {
        public override string Name => nameof(TransposedToImageFunction);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (h, weight, bias, stride, padding) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (int)vars[3], (int)vars[4]);
            ctx.save_for_backward([h, weight]);
            ctx.save_data("stride", stride);
            ctx.save_data("padding", padding);
            long k = weight.shape[2];
            long outH = (h.shape[2] - 1) * stride - 2 * padding + k, outW = (h.shape[3] - 1) * stride - 2 * padding + k;
            return ScatterToImage(h, weight, stride, padding, outH, outW).add_(bias.view(1, 1, 1, 1));
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var saved = ctx.get_saved_variables();
            var (h, weight) = (saved[0], saved[1]);
            int stride = (int)ctx.get_data("stride"), padding = (int)ctx.get_data("padding");
            // d/dh: a plain convolution of the image gradient (1 -> C channels), with the same weight.
            var gradH = nn.functional.conv2d(ChannelsLast.From(grad), weight, null, [stride, stride], [padding, padding]);
            var gradWeight = CorrelateWithImage(h, grad, weight.shape[2], stride, padding);
            var gradBias = grad.sum().view(1);
            return [gradH, gradWeight, gradBias, null!, null!]; // one per argument; none for stride, padding
        }
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
            return nn.functional.conv2d(x, weight, bias, [stride, stride], [padding, padding]);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var weight = ctx.get_saved_variables()[0];
            int stride = (int)ctx.get_data("stride"), padding = (int)ctx.get_data("padding");
            long height = (long)ctx.get_data("height"), width = (long)ctx.get_data("width");
            // d/dx of a 1 -> C convolution is a C -> 1 transposed convolution with the same weight [C,1,k,k].
            var gradX = ScatterToImage(grad, weight, stride, padding, height, width);
            return [gradX, null!, null!, null!, null!]; // weight and bias are frozen
        }
    }
}
